import type { CliRun } from '../helpers/run-cli.js';
import { recordsOf } from '../helpers/run-cli.js';
import { STREAMS } from '../../src/streams/catalog.js';

/** Each stream's primary key fields, from the stream table (the fake's ground truth writes the same fields). */
export const KEY_FIELDS: Record<string, string[]> = Object.fromEntries(STREAMS.map((s) => [s.name, [...s.primaryKey]]));

export function keyOf(stream: string, record: Record<string, unknown>): string {
  return (KEY_FIELDS[stream] ?? ['id']).map((f) => String(record[f])).join('|');
}

export function keysOf(run: CliRun | CliRun[], stream: string): string[] {
  const runs = Array.isArray(run) ? run : [run];
  return runs.flatMap((r) => recordsOf(r, stream).map((rec) => keyOf(stream, rec)));
}

export const sorted = (values: Iterable<string>): string[] => [...values].sort();
