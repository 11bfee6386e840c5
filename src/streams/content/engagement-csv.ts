import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { JsonObject } from '../../core/events.js';
import { convertCell } from '../reporting/datasets.js';

export const ROW_ID = '_row_id';
export const ROW_TIME = '_time';
export const STATISTIC = 'statistic';

/** Rows handed to the engine at once (bounded: a file is never held whole). */
const BATCH = 500;
const MAX_FIELD_CHARS = 1_000_000;

/**
 * Columns of the export's CSVs as Intercom's OpenAPI describes them (`data_export_csv`): the
 * timestamps are integers (Unix seconds), everything else is text. A column the docs do not name
 * is kept as text under its header.
 */
const TIMESTAMP_COLUMNS = new Set([
  'received_at',
  'first_reply',
  'first_completion',
  'first_series_completion',
  'first_series_disengagement',
  'first_series_exit',
  'first_goal_success',
  'first_open',
  'first_click',
  'first_dismisall',
  'first_unsubscribe',
  'first_hard_bounce',
]);

/** `receipts_20240101_120000.csv` (possibly in a folder) → `receipts`; a name without the timestamp keeps its base name. */
export function statisticOfFile(name: string): string {
  const base = name.split('/').pop() ?? name;
  const stem = base.replace(/\.csv$/i, '');
  const withoutStamp = stem.replace(/_\d{8}_\d{6}$/, '');
  return (withoutStamp || stem).toLowerCase().replace(/[^a-z0-9_]+/g, '_') || 'unknown';
}

const fieldOfHeader = (header: string): string =>
  header
    .trim()
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .toLowerCase() || 'column';

/**
 * The key of a row: a receipt (one per delivery of a message to a person) is keyed by its
 * `receipt_id`, so a later export with more first_* times replaces it; any other row by a hash of
 * its statistic and cells (a row exported again is the same row).
 */
export function engagementRowId(statistic: string, record: JsonObject, columns: readonly string[]): string {
  const receipt = record.receipt_id;
  if (statistic === 'receipts' && typeof receipt === 'string' && receipt) return `receipts:${receipt}`;
  const digest = createHash('sha256')
    .update(JSON.stringify([statistic, ...columns.map((c) => [c, record[c] ?? null])]))
    .digest('hex');
  return `${statistic}:${digest}`;
}

export interface EngagementProblems {
  mistyped: Map<string, string>;
}

/** Streams one CSV of the export into records, BATCH at a time, each with `statistic`, `_row_id` and `_time` (the send time, else the window start). */
export async function* engagementRecords(
  input: Readable,
  fileName: string,
  problems: EngagementProblems,
  windowStart: number,
): AsyncGenerator<JsonObject[]> {
  const statistic = statisticOfFile(fileName);
  // Loaded on the first export read, not at every start of the command.
  const { parse } = await import('csv-parse');
  const parser = input.pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_FIELD_CHARS }),
  );
  input.once('error', (err) => parser.destroy(err));
  let columns: string[] | undefined;
  let batch: JsonObject[] = [];
  for await (const row of parser as AsyncIterable<string[]>) {
    if (!columns) {
      columns = row.map(fieldOfHeader);
      continue;
    }
    const record: JsonObject = { [STATISTIC]: statistic };
    row.forEach((text, i) => {
      const field = columns![i];
      if (!field || field === STATISTIC || field.startsWith('_')) return;
      const { value, ok } = convertCell(TIMESTAMP_COLUMNS.has(field) ? 'timestamp' : 'string', text);
      if (!ok && !problems.mistyped.has(field)) problems.mistyped.set(field, text.slice(0, 80));
      record[field] = value;
    });
    record[ROW_ID] = engagementRowId(statistic, record, columns);
    const sent = record.received_at;
    record[ROW_TIME] = typeof sent === 'number' ? sent : windowStart;
    batch.push(record);
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}
