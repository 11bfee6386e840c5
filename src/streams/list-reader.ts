import type { JsonObject } from '../core/events.js';
import { cursorPages, numberedPages, recordsOf } from '../intercom/pagination.js';
import { specOf, type StreamDefinition } from './catalog.js';
import { isRecord, keyMissing, objectsOf } from './record-guards.js';
import { idString } from './transform.js';
import type { ReadContext, Reader, ReaderItem } from './types.js';

/** The query parameters the entry's `flagParams` turn on from boolean config options. */
function flagParams(def: StreamDefinition, ctx: ReadContext): Record<string, boolean> {
  // The table names each option by its config key; the settings object is looked up by that name.
  const settings = ctx.config.settings as unknown as Record<string, unknown>;
  return Object.fromEntries(
    Object.entries(def.flagParams ?? {})
      .filter(([, option]) => settings[option] === true)
      .map(([param]) => [param, true]),
  );
}

/** An endpoint that exists only from a newer API version is asked in it whatever `api_version` says (the header is per request). */
function versionHeader(def: StreamDefinition, ctx: ReadContext): Record<string, string> {
  const version = def.schema.apiVersion;
  if (version === '2.14') return {};
  return { 'intercom-version': Number(ctx.config.apiVersion) >= Number(version) ? ctx.config.apiVersion : version };
}

/**
 * A page-number walk that never sends a record twice. A repeated record (an edit moved it to
 * another page) is dropped; with `repeatEndsWalk`, a page that brings no new id ends the walk.
 */
async function* pageNumberRecords(def: StreamDefinition, path: string, ctx: ReadContext): AsyncGenerator<JsonObject[]> {
  const seen = new Set<string>();
  for await (const page of numberedPages(ctx.client, {
    path,
    recordsKey: def.endpoint!.recordsKey,
    perPage: def.perPage ?? 50,
    stream: def.name,
  })) {
    const fresh = page.records.filter((record) => {
      // Not an object or without an id: passed on for the reader to report, never dropped here.
      const id = isRecord(record) ? idString(record.id) : undefined;
      if (id === undefined) return true;
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    if (def.repeatEndsWalk && page.records.length > 0 && fresh.length === 0) return;
    yield fresh;
  }
}

async function* pagesOfRecords(def: StreamDefinition, ctx: ReadContext): AsyncGenerator<JsonObject[]> {
  const { path, recordsKey } = def.endpoint!;
  const headers = versionHeader(def, ctx);
  if (def.pagination === 'page-number') {
    yield* pageNumberRecords(def, path, ctx);
  } else if (def.pagination === 'unpaged') {
    const body = await ctx.client.request<unknown>({
      path,
      stream: def.name,
      ...(Object.keys(headers).length ? { headers } : {}),
    });
    yield recordsOf(body, recordsKey, `GET ${path}`, def.name);
  } else {
    const params = flagParams(def, ctx);
    for await (const page of cursorPages(ctx.client, {
      path,
      recordsKey,
      ...(Object.keys(params).length ? { params } : {}),
      stream: def.name,
    }))
      yield page.records;
  }
}

/**
 * The reader of a plain list stream (`reader: 'list'` in the table): a full-refresh GET list read
 * as the entry says (endpoint, records key, pagination kind, page size, API version, flags).
 */
export function listReader(def: StreamDefinition): Reader {
  if (
    def.reader !== 'list' ||
    !def.endpoint ||
    def.endpoint.method !== 'GET' ||
    !['cursor', 'page-number', 'unpaged'].includes(def.pagination)
  ) {
    throw new Error(
      `stream table: ${def.name} is not a plain GET list (reader ${def.reader}, pagination ${def.pagination})`,
    );
  }
  // The paged walks send the configured Intercom-Version; only a one-request list can ask another.
  if (def.schema.apiVersion !== '2.14' && def.pagination !== 'unpaged')
    throw new Error(
      `stream table: ${def.name} needs API ${def.schema.apiVersion}, which only an unpaged list can ask for`,
    );
  return {
    streams: [specOf(def)],
    async *read(ctx): AsyncGenerator<ReaderItem> {
      const where = `a page of GET ${def.endpoint!.path}`;
      const key = def.primaryKey[0]!;
      for await (const page of pagesOfRecords(def, ctx)) {
        // A null item is skipped with a counted WARN; a record without its key is reported and ends
        // the stream INCOMPLETE (it could never be de-duplicated): never emitted, never silent.
        const objects = objectsOf(page, ctx.logger, `${def.name}: ${where}`);
        const records = objects.filter((record) => idString(record[key]) !== undefined);
        if (records.length < objects.length)
          yield keyMissing(ctx.logger, def.name, `${objects.length - records.length} on ${where}`, key);
        if (records.length) yield { kind: 'records', stream: def.name, records, owned: true };
      }
    },
  };
}
