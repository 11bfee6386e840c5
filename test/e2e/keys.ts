import type { CliRun } from '../helpers/run-cli.js';
import { recordsOf } from '../helpers/run-cli.js';

/** How each stream's primary key is written in the fake server's ground truth. */
export const KEY_FIELDS: Record<string, string[]> = {
  team_admin: ['team_id', 'admin_id'],
  contact_tag: ['contact_id', 'tag_id'],
  contact_company: ['contact_id', 'company_id'],
  company_tag: ['company_id', 'tag_id'],
  company_segment: ['company_id', 'segment_id'],
  conversation_tag: ['conversation_id', 'tag_id'],
  email_address_header: ['conversation_id', 'conversation_part_id', 'index'],
  data_attributes: ['model', 'name'],
};

export function keyOf(stream: string, record: Record<string, unknown>): string {
  return (KEY_FIELDS[stream] ?? ['id']).map((f) => String(record[f])).join('|');
}

export function keysOf(run: CliRun | CliRun[], stream: string): string[] {
  const runs = Array.isArray(run) ? run : [run];
  return runs.flatMap((r) => recordsOf(r, stream).map((rec) => keyOf(stream, rec)));
}

export const sorted = (values: Iterable<string>): string[] => [...values].sort();
