import type { JsonObject } from '../core/events.js';

/**
 * What a user should know before selecting a stream, shown where streams are offered (the
 * `description` of each discovered schema, Airbyte's and Meltano's stream lists). Streams without
 * a note are cheap: one paginated listing or part of their parent's pass.
 */
export const STREAM_NOTES: Readonly<Record<string, string>> = {
  events:
    'Costly: one request per contact (per contact changed since the cursor on incremental syncs), so a first sync of 100,000 contacts needs 100,000+ requests (10+ minutes at 10,000 requests/min). Needs the Read events permission. Intercom keeps only the last 90 days. Not in catalog.quickstart.json.',
  notes:
    'Costly: one request per contact that has notes (changed since the cursor on incremental syncs). Needs the Read one user and one company permission. Not in catalog.quickstart.json.',
  tickets: 'Needs the Read tickets permission (a token without it fails this stream with a 403 that names it). Not in catalog.quickstart.json.',
  ticket_parts: 'One request per new or changed ticket; needs the Read tickets permission. Not in catalog.quickstart.json.',
  ticket_types: 'Needs the Read tickets permission. Not in catalog.quickstart.json.',
  articles: 'Help center; needs the Read content data permission.',
  collections: 'Help center; needs the Read content data permission.',
  help_centers: 'Help center; needs the Read content data permission.',
  activity_logs: 'Admin activity, read in created_at windows from the workspace creation on a first sync; needs the Read admins permission.',
  conversation_parts: 'One request per new or changed conversation (GET /conversations/{id}), run concurrently.',
};

/** The schema with the stream's note leading its description (the schema object itself when there is none). */
export function withStreamNote(stream: string, schema: JsonObject): JsonObject {
  const note = STREAM_NOTES[stream];
  if (!note) return schema;
  return { ...schema, description: typeof schema.description === 'string' ? `${note} ${schema.description}` : note };
}
