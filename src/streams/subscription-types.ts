import type { JsonObject } from '../core/events.js';
import type { SubscriptionType } from '../generated/streams/index.js';
import { cursorPages } from '../intercom/pagination.js';
import { endpointOf, streamsOfReader } from './catalog.js';
import type { Reader, ReaderItem } from './types.js';

type Translation = NonNullable<SubscriptionType['default_translation']>;

/** `default_translation` stays; its name and description also become columns (what a report shows). */
export function withDefaultTranslation(subscriptionType: JsonObject): JsonObject {
  // Typed by the stream's schema, but from the network: each field read is checked before use.
  const translation = subscriptionType.default_translation as
    Partial<Record<keyof Translation, unknown>> | null | undefined;
  const columns: Pick<SubscriptionType, 'name' | 'description'> = {
    name: typeof translation?.name === 'string' ? translation.name : null,
    description: typeof translation?.description === 'string' ? translation.description : null,
  };
  return { ...subscriptionType, ...columns };
}

export const subscriptionTypesReader: Reader = {
  streams: streamsOfReader('subscription_types'),
  async *read(ctx): AsyncGenerator<ReaderItem> {
    for await (const page of cursorPages(ctx.client, {
      ...endpointOf('subscription_types'),
      stream: 'subscription_types',
    })) {
      for (const record of page.records)
        yield { kind: 'record', stream: 'subscription_types', record: withDefaultTranslation(record) };
    }
  },
};
