import nock from 'nock';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSourceConfig } from '../config/source-config.js';
import type { JsonObject } from '../core/events.js';
import { IntercomClient } from '../intercom/client.js';
import { handlingEventsReader } from './handling-events.js';
import type { ReaderItem } from './types.js';

const BASE = 'https://api.intercom.io';
const TOKEN = 'handling-events-token-31';
const NOW = 1_718_000_000;
const EVENT = {
  teammate: { type: 'admin', id: 123, name: 'Jane Example', email: 'jane@example.com' },
  type: 'paused',
  timestamp: '2026-01-09T09:00:00Z',
  reason: 'Paused',
};

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());

async function read(apiVersion: string): Promise<ReaderItem[]> {
  const config = parseSourceConfig(
    {
      access_token: TOKEN,
      api_version: apiVersion,
      start_date: new Date((NOW - 3600) * 1000).toISOString(),
      slice_days: 1,
    },
    {},
  );
  const client = new IntercomClient({
    baseUrl: BASE,
    accessToken: TOKEN,
    apiVersion,
    requestTimeoutMs: 2000,
    maxConcurrency: 2,
    maxRetries: 0,
    maxRateLimitWaitMs: 1,
    retryBaseDelayMs: 1,
  });
  const items: ReaderItem[] = [];
  for await (const item of handlingEventsReader.read({
    client,
    config,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    selected: new Set(['handling_events']),
    state: undefined,
    syncStartedAt: NOW,
  }))
    items.push(item);
  return items;
}

describe('handlingEventsReader', () => {
  it.each(['2.14', '2.15'])(
    'asks GET /conversations/{id}/handling_events with Intercom-Version 2.15 (config %s), one row per event with its conversation and position',
    async (version) => {
      nock(BASE)
        .post('/conversations/search')
        .reply(200, {
          type: 'conversation.list',
          conversations: [
            { id: '7', updated_at: NOW - 60 },
            { id: '8', updated_at: NOW - 30 },
          ],
          total_count: 2,
          pages: {},
        });
      nock(BASE, { reqheaders: { 'intercom-version': '2.15' } })
        .get('/conversations/7/handling_events')
        .reply(200, { handling_events: [EVENT, { ...EVENT, type: 'resumed', reason: null }] })
        .get('/conversations/8/handling_events')
        .reply(404, { type: 'error.list', errors: [{ code: 'not_found', message: 'Conversation Not Found' }] });
      const items = await read(version);
      const records = items.flatMap((i) => (i.kind === 'records' ? i.records : [])) as JsonObject[];
      expect(records).toEqual([
        { ...EVENT, conversation_id: '7', index: 0, updated_at: NOW - 60 },
        { ...EVENT, type: 'resumed', reason: null, conversation_id: '7', index: 1, updated_at: NOW - 60 },
      ]);
      expect(items.some((i) => i.kind === 'incomplete')).toBe(false);
    },
  );
});
