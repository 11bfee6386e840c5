import type { JsonObject } from '../core/events.js';
import type { DataAttribute } from '../generated/streams/index.js';
import { cursorPages } from '../intercom/pagination.js';
import { endpointOf, streamsOfReader } from './catalog.js';
import type { Reader, ReaderItem } from './types.js';

const DATA_ATTRIBUTE_MODELS = ['contact', 'company', 'conversation'] as const satisfies readonly NonNullable<
  DataAttribute['model']
>[];

/** Data attributes of every model in one stream, keyed by [model, name]. */
export const dataAttributesReader: Reader = {
  streams: streamsOfReader('data_attributes'),
  async *read(ctx): AsyncGenerator<ReaderItem> {
    for (const model of DATA_ATTRIBUTE_MODELS) {
      for await (const page of cursorPages(ctx.client, {
        ...endpointOf('data_attributes'),
        params: { model },
        stream: 'data_attributes',
      })) {
        for (const attribute of page.records) {
          const record: JsonObject = attribute.model ? attribute : { ...attribute, model };
          yield { kind: 'record', stream: 'data_attributes', record };
        }
      }
    }
  },
};
