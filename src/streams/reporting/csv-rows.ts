import type { Readable } from 'node:stream';
import type { JsonObject } from '../../core/events.js';
import { convertCell, rowId, ROW_ID, ROW_TIME, type ReportingAttribute, type ReportingDataset } from './datasets.js';

/** Rows handed to the engine at once (bounded: a file is never held whole). */
const BATCH = 500;
/** A single CSV field larger than this is not a reporting value: stop instead of buffering it. */
const MAX_FIELD_CHARS = 1_000_000;

/** Which attribute a header cell names: its qualified id, its id, its name, or the qualified id's last part. */
export function attributeOfHeader(dataset: ReportingDataset, header: string): ReportingAttribute | undefined {
  const h = header.trim();
  return (
    dataset.attributes.find((a) => a.qualifiedId === h) ??
    dataset.attributes.find((a) => a.id === h) ??
    dataset.attributes.find((a) => a.name === h) ??
    dataset.attributes.find((a) => a.qualifiedId.split('.').pop() === h)
  );
}

/** A column the dataset does not describe keeps its header (made a plain field name) and stays text. */
const fieldOfHeader = (header: string): string => header.trim().replace(/[^A-Za-z0-9_]+/g, '_') || 'column';

export interface CsvProblems {
  /** Cells whose text did not fit the column's type (kept as text), by column. */
  mistyped: Map<string, string>;
}

/**
 * Streams a CSV export into records, BATCH rows at a time: a real CSV parser (quoted commas,
 * newlines, doubled quotes, a BOM, CRLF), the header row mapping columns to attributes, each cell
 * typed by its attribute, plus `_row_id` and `_time`.
 */
export async function* csvRecords(
  input: Readable,
  dataset: ReportingDataset,
  problems: CsvProblems,
  windowStart: number,
): AsyncGenerator<JsonObject[]> {
  // Loaded on the first export read, not at every start of the command.
  const { parse } = await import('csv-parse');
  const parser = input.pipe(
    parse({ bom: true, relax_column_count: true, skip_empty_lines: true, max_record_size: MAX_FIELD_CHARS }),
  );
  input.once('error', (err) => parser.destroy(err));
  let columns: { field: string; attr: ReportingAttribute | undefined }[] | undefined;
  let batch: JsonObject[] = [];
  for await (const row of parser as AsyncIterable<string[]>) {
    if (!columns) {
      columns = row.map((header) => {
        const attr = attributeOfHeader(dataset, header);
        return { field: attr?.id ?? fieldOfHeader(header), attr };
      });
      continue;
    }
    const record: JsonObject = {};
    row.forEach((text, i) => {
      const column = columns![i];
      if (!column) return;
      const { value, ok } = convertCell(column.attr?.kind ?? 'string', text);
      if (!ok && !problems.mistyped.has(column.field)) problems.mistyped.set(column.field, text.slice(0, 80));
      record[column.field] = value;
    });
    record[ROW_ID] = rowId(dataset, record);
    const time = record[dataset.timeAttribute];
    // A row without its time value is still in this window: its start keeps the cursor typed.
    record[ROW_TIME] = typeof time === 'number' ? time : windowStart;
    batch.push(record);
    if (batch.length >= BATCH) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}
