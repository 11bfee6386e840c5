import type { JsonObject } from '../core/events.js';
import { STREAMS } from '../streams/catalog.js';

/**
 * What a user should know before selecting a stream, shown where streams are offered (the
 * `description` of each discovered schema, Airbyte's and Meltano's stream lists). Streams without
 * a note are cheap: one paginated listing or part of their parent's pass. The notes live in the
 * stream table.
 */
export const STREAM_NOTES: Readonly<Record<string, string>> = Object.fromEntries(
  STREAMS.flatMap((s) => (s.notes ? [[s.name, s.notes]] : [])),
);

/** The schema with the stream's note leading its description (the schema object itself when there is none). */
export function withStreamNote(stream: string, schema: JsonObject): JsonObject {
  const note = STREAM_NOTES[stream];
  if (!note) return schema;
  return { ...schema, description: typeof schema.description === 'string' ? `${note} ${schema.description}` : note };
}
