import type { JsonObject } from '../core/events.js';
import { cursorPages } from '../intercom/pagination.js';
import type { Reader, ReaderItem } from './types.js';

/** `default_translation` stays; its name and description also become columns (what a report shows). */
export function withDefaultTranslation(subscriptionType: JsonObject): JsonObject {
  const translation = subscriptionType.default_translation as { name?: unknown; description?: unknown } | null | undefined;
  return {
    ...subscriptionType,
    name: typeof translation?.name === 'string' ? translation.name : null,
    description: typeof translation?.description === 'string' ? translation.description : null,
  };
}

export const subscriptionTypesReader: Reader = {
  streams: [{ name: 'subscription_types', primaryKey: ['id'] }],
  async *read(ctx): AsyncGenerator<ReaderItem> {
    for await (const page of cursorPages(ctx.client, { path: '/subscription_types', recordsKey: 'data', stream: 'subscription_types' })) {
      for (const record of page.records) yield { kind: 'record', stream: 'subscription_types', record: withDefaultTranslation(record) };
    }
  },
};
