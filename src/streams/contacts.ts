import type { JsonObject } from '../core/events.js';
import { cursorPages } from '../intercom/pagination.js';
import { DAY, dayStart, slicedSearch, type TimeSlice } from './slicing.js';
import { idString } from './transform.js';
import type { ReadContext, Reader, ReaderItem } from './types.js';

interface EmbeddedList {
  data?: { id?: unknown }[];
  has_more?: boolean;
}

/**
 * Contact search compares dates by calendar day (in the workspace's timezone): `>` starts at the next day, `<` ends before
 * the day, `=` is the whole day. The slice's first day is asked as OR[= day, > day]; its end as
 * `< end-day`. Records are filtered to the exact slice locally.
 */
export function contactSliceQuery(slice: TimeSlice): unknown {
  const from = dayStart(slice.start);
  const lowerGroup = {
    operator: 'OR',
    value: [
      { field: 'updated_at', operator: '=', value: from },
      { field: 'updated_at', operator: '>', value: from },
    ],
  };
  if (slice.last) return lowerGroup;
  // `<` ends before the start of the given date's day in the WORKSPACE's timezone, which may be
  // up to a day off UTC: asking one day further is a superset for every timezone (records past
  // the slice's end are filtered locally, and the next slice reads them).
  const to = (slice.end % DAY === 0 ? slice.end : dayStart(slice.end) + DAY) + DAY;
  return { operator: 'AND', value: [lowerGroup, { operator: 'OR', value: [{ field: 'updated_at', operator: '<', value: to }] }] };
}

/** Ids from an embedded list, or the full sub-list when Intercom capped the embed (`has_more`). */
async function* relatedIds(ctx: ReadContext, contactId: string, embedded: EmbeddedList | undefined, kind: 'tags' | 'companies'): AsyncGenerator<string> {
  if (!embedded?.has_more) {
    for (const item of embedded?.data ?? []) {
      const id = idString(item.id);
      if (id) yield id;
    }
    return;
  }
  const path = `/contacts/${encodeURIComponent(contactId)}/${kind}`;
  for await (const page of cursorPages(ctx.client, { path, recordsKey: kind === 'companies' ? ['data', 'companies'] : 'data', stream: `contact_${kind === 'tags' ? 'tag' : 'company'}` })) {
    for (const item of page.records) {
      const id = idString(item.id);
      if (id) yield id;
    }
  }
}

async function* contactItems(ctx: ReadContext, contact: JsonObject): AsyncGenerator<ReaderItem> {
  const contactId = idString(contact.id)!;
  const updatedAt = contact.updated_at;
  if (ctx.selected.has('contact_tag')) {
    for await (const tagId of relatedIds(ctx, contactId, contact.tags as EmbeddedList | undefined, 'tags')) {
      yield { kind: 'record', stream: 'contact_tag', record: { contact_id: contactId, tag_id: tagId, updated_at: updatedAt } };
    }
  }
  if (ctx.selected.has('contact_company')) {
    for await (const companyId of relatedIds(ctx, contactId, contact.companies as EmbeddedList | undefined, 'companies')) {
      yield { kind: 'record', stream: 'contact_company', record: { contact_id: contactId, company_id: companyId, updated_at: updatedAt } };
    }
  }
  yield { kind: 'record', stream: 'contacts', record: contact };
}

export const contactsReader: Reader = {
  streams: [
    { name: 'contacts', primaryKey: ['id'], cursorField: 'updated_at' },
    { name: 'contact_tag', primaryKey: ['contact_id', 'tag_id'], cursorField: 'updated_at' },
    { name: 'contact_company', primaryKey: ['contact_id', 'company_id'], cursorField: 'updated_at' },
  ],
  read(ctx) {
    return slicedSearch({
      ctx,
      stream: 'contacts',
      cursorField: 'updated_at',
      path: '/contacts/search',
      recordsKey: 'data',
      query: contactSliceQuery,
      async *processPage(records) {
        // Sub-list fetches (has_more) run concurrently for the page, then items are yielded in order.
        const batches = await Promise.all(records.map((contact) => collect(contactItems(ctx, contact))));
        for (const items of batches) yield* items;
      },
    });
  },
};

async function collect<T>(gen: AsyncGenerator<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of gen) out.push(item);
  return out;
}
