import type { JsonObject } from '../core/events.js';
import { cursorPages } from '../intercom/pagination.js';
import { idString } from './transform.js';
import type { ReadContext, Reader, ReaderItem } from './types.js';

/** A full-refresh stream read from one GET list endpoint (paged by `pages.next` when present). */
export function listReader(opts: {
  stream: string;
  path: string;
  recordsKey: string | string[];
  perPage?: number;
  params?: (ctx: ReadContext) => Record<string, string | number | boolean | undefined>;
}): Reader {
  return {
    streams: [{ name: opts.stream, primaryKey: ['id'] }],
    async *read(ctx): AsyncGenerator<ReaderItem> {
      for await (const page of cursorPages(ctx.client, { path: opts.path, recordsKey: opts.recordsKey, perPage: opts.perPage, params: opts.params?.(ctx), stream: opts.stream })) {
        for (const record of page.records) yield { kind: 'record', stream: opts.stream, record };
      }
    },
  };
}

export const adminsReader = listReader({ stream: 'admins', path: '/admins', recordsKey: 'admins' });
export const tagsReader = listReader({ stream: 'tags', path: '/tags', recordsKey: 'data' });
export const segmentsReader = listReader({
  stream: 'segments',
  path: '/segments',
  recordsKey: 'segments',
  params: (ctx) => (ctx.config.settings.segments_include_count ? { include_count: true } : {}),
});

/** Teams, and the team_admin junction from each team's admin_ids in the same pass. */
export const teamsReader: Reader = {
  streams: [
    { name: 'teams', primaryKey: ['id'] },
    { name: 'team_admin', primaryKey: ['team_id', 'admin_id'] },
  ],
  async *read(ctx): AsyncGenerator<ReaderItem> {
    for await (const page of cursorPages(ctx.client, { path: '/teams', recordsKey: 'teams', stream: 'teams' })) {
      for (const team of page.records) {
        yield { kind: 'record', stream: 'teams', record: team };
        if (!ctx.selected.has('team_admin')) continue;
        const teamId = idString(team.id);
        const adminIds = Array.isArray(team.admin_ids) ? team.admin_ids : [];
        for (const adminId of new Set(adminIds.map(idString))) {
          if (teamId && adminId) yield { kind: 'record', stream: 'team_admin', record: { team_id: teamId, admin_id: adminId } };
        }
      }
    }
  },
};

const DATA_ATTRIBUTE_MODELS = ['contact', 'company', 'conversation'] as const;

/** Data attributes of every model in one stream, keyed by [model, name]. */
export const dataAttributesReader: Reader = {
  streams: [{ name: 'data_attributes', primaryKey: ['model', 'name'] }],
  async *read(ctx): AsyncGenerator<ReaderItem> {
    for (const model of DATA_ATTRIBUTE_MODELS) {
      for await (const page of cursorPages(ctx.client, { path: '/data_attributes', recordsKey: 'data', params: { model }, stream: 'data_attributes' })) {
        for (const attribute of page.records) {
          const record: JsonObject = attribute.model ? attribute : { ...attribute, model };
          yield { kind: 'record', stream: 'data_attributes', record };
        }
      }
    }
  },
};
