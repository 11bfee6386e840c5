/**
 * `hash_pii: true`: the fields of each stream that identify or describe a person, or carry text a
 * person wrote, as the stream table lists them (`pii` in src/streams/catalog.ts, which says what is
 * deliberately not hashed). The README's "Data controls" section shows this table; keep them in step.
 */
import { STREAMS } from '../streams/catalog.js';

export const PII_FIELDS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  STREAMS.flatMap((s) => (s.pii ? [[s.name, s.pii]] : [])),
);
