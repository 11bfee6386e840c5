import type { JsonObject, Logger } from '../core/events.js';
import { cursorPages } from '../intercom/pagination.js';
import { DAY, dayStart, slicedSearch, type TimeSlice } from './slicing.js';
import {
  detailPath,
  isParentRefusal,
  objectsOf,
  parentSkipped,
  refusable,
  type ParentRefusal,
} from './record-guards.js';
import { idString } from './transform.js';
import type { ReadContext, Reader } from './types.js';
import { endpointOf, streamsOfReader } from './catalog.js';

interface EmbeddedList {
  data?: unknown[];
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
  return {
    operator: 'AND',
    value: [lowerGroup, { operator: 'OR', value: [{ field: 'updated_at', operator: '<', value: to }] }],
  };
}

/** Ids of an embedded list that Intercom sent in full. */
function embeddedIds(embedded: EmbeddedList | undefined, logger: Logger, where: string): string[] {
  const ids: string[] = [];
  for (const item of objectsOf(embedded?.data ?? [], logger, where)) {
    const id = idString(item.id);
    if (id) ids.push(id);
  }
  return ids;
}

/** The full sub-list, for an embed Intercom capped (`has_more`). */
async function fetchIds(ctx: ReadContext, contactId: string, kind: 'tags' | 'companies'): Promise<string[]> {
  const path = detailPath(`/contacts/{id}/${kind}`, { id: contactId });
  const ids: string[] = [];
  for await (const page of cursorPages(ctx.client, {
    path,
    recordsKey: kind === 'companies' ? ['data', 'companies'] : 'data',
    stream: `contact_${kind === 'tags' ? 'tag' : 'company'}`,
  })) {
    for (const item of objectsOf(page.records, ctx.logger, `${path}`)) {
      const id = idString(item.id);
      if (id) ids.push(id);
    }
  }
  return ids;
}

/**
 * Junction rows of one page of contacts. Embedded lists are read in place; capped ones are fetched,
 * all of the page's at once. Rows keep the order of the contacts. A contact whose follow-up
 * Intercom refuses (a non-404 4xx) is put in `refused` and gets no rows.
 */
async function junctionRows(
  ctx: ReadContext,
  contacts: JsonObject[],
  kind: 'tags' | 'companies',
  refused: Map<string, ParentRefusal>,
): Promise<JsonObject[]> {
  const lists: (string[] | Promise<string[] | ParentRefusal>)[] = contacts.map((contact) => {
    const embedded = contact[kind] as EmbeddedList | undefined;
    const contactId = idString(contact.id)!;
    return embedded?.has_more
      ? refusable(fetchIds(ctx, contactId, kind))
      : embeddedIds(
          embedded,
          ctx.logger,
          `contact_${kind === 'tags' ? 'tag' : 'company'}: the ${kind} of contact ${contactId}`,
        );
  });
  const ids = lists.some((l) => l instanceof Promise) ? await Promise.all(lists) : (lists as string[][]);
  const rows: JsonObject[] = [];
  contacts.forEach((contact, i) => {
    const contactId = idString(contact.id)!;
    const updatedAt = contact.updated_at;
    const list = ids[i]!;
    if (isParentRefusal(list)) {
      refused.set(contactId, list);
      return;
    }
    // Literal keys (not a computed one) keep the rows' shape fixed: cheaper to build and serialize.
    for (const id of list)
      rows.push(
        kind === 'tags'
          ? { contact_id: contactId, tag_id: id, updated_at: updatedAt }
          : { contact_id: contactId, company_id: id, updated_at: updatedAt },
      );
  });
  return rows;
}

export const contactsReader: Reader = {
  streams: streamsOfReader('contacts'),
  read(ctx) {
    return slicedSearch({
      ctx,
      stream: 'contacts',
      cursorField: 'updated_at',
      ...endpointOf('contacts'),
      query: contactSliceQuery,
      async *processPage(page) {
        // One batch per stream per page; a page's capped sub-lists are fetched concurrently.
        const refused = new Map<string, ParentRefusal>();
        let [tags, companies] = await Promise.all([
          ctx.selected.has('contact_tag') ? junctionRows(ctx, page, 'tags', refused) : [],
          ctx.selected.has('contact_company') ? junctionRows(ctx, page, 'companies', refused) : [],
        ]);
        let records = page;
        if (refused.size) {
          // A contact is delivered whole or not at all: the next sync reads the skipped ones again.
          for (const [id, err] of refused) yield parentSkipped(ctx.logger, 'contacts', `contact ${id}`, err);
          records = page.filter((contact) => !refused.has(idString(contact.id)!));
          tags = tags.filter((row) => !refused.has(row.contact_id as string));
          companies = companies.filter((row) => !refused.has(row.contact_id as string));
        }
        if (tags.length) yield { kind: 'records', stream: 'contact_tag', records: tags, owned: true };
        if (companies.length) yield { kind: 'records', stream: 'contact_company', records: companies, owned: true };
        // The junction rows are built: nothing here touches the contacts again.
        yield { kind: 'records', stream: 'contacts', records, owned: true };
      },
    });
  },
};
