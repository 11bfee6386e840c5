import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { BIN, recordsOf, runCli, writeJsonFiles } from '../helpers/run-cli.js';

/** Source options that change what is read: part body format and the lookback window. */
const TOKEN = 'e2e-options-token-4c3b2a1d0e';
let fake: FakeIntercom;

const catalog = (streams: string[]) => ({
  streams: streams.map((name) => ({
    stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
    sync_mode: 'incremental',
    destination_sync_mode: 'append_dedup',
  })),
});

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 80,
    token: TOKEN,
    size: { contacts: 120, companies: 5, conversations: 30, tickets: 1, largeConversations: 0 },
  });
});
afterAll(async () => {
  await fake.close();
});

async function read(config: Record<string, unknown>, streams: string[], state?: unknown[]) {
  const files = writeJsonFiles({
    config: { access_token: TOKEN, base_url: fake.url, ...config },
    catalog: catalog(streams),
    ...(state ? { state } : {}),
  });
  const run = await runCli(BIN.airbyte, [
    'read',
    '--config',
    files.config!,
    '--catalog',
    files.catalog!,
    ...(state ? ['--state', files.state!] : []),
  ]);
  expect(run.code, run.stderr).toBe(0);
  return run;
}

const words = (text: string): string[] => text.split(/[^\p{L}\p{N}]+/u).filter(Boolean);

describe('conversation_parts_display_as', () => {
  it('html (default) keeps the markup; plaintext asks Intercom for plain-text bodies', async () => {
    const bodies = async (config: Record<string, unknown>) =>
      new Map(
        recordsOf(await read(config, ['conversation_parts']), 'conversation_parts').map((p) => [
          String(p.id),
          p.body as string | null,
        ]),
      );
    const html = await bodies({});
    const plain = await bodies({ conversation_parts_display_as: 'plaintext' });
    expect(plain.size).toBe(html.size);
    let marked = 0;
    for (const [id, body] of html) {
      if (typeof body !== 'string') continue;
      const text = plain.get(id);
      if (/<\/?[a-z]+[^>]*>/i.test(body)) {
        marked++;
        // Plain text, not the markup Intercom sends by default.
        expect(text, id).not.toBe(body);
      }
      // None of the body's tags survives (an escaped `&lt;b&gt;` may: it is text).
      for (const tag of body.match(/<\/?[a-z]+[^>]*>/gi) ?? []) expect(text, id).not.toContain(tag);
      // The same words in the same order (checked independently of the fake's own converter):
      // tags and entities become word breaks.
      expect(words(text ?? ''), id).toEqual(words(body.replace(/<[^>]*>/g, ' ').replace(/&(#\d+|[a-z]+);/gi, ' ')));
    }
    expect(marked).toBeGreaterThan(10);
  });
});

describe('lookback_window_minutes', () => {
  it('re-reads exactly the records updated within the lookback before the cursor', async () => {
    const now = fake.now();
    const cursor = now - 3600;
    const recent = fake.mutate({ stream: 'contacts', update: 3, at: cursor - 10 * 60 }).updated;
    const older = fake.mutate({ stream: 'contacts', update: 3, at: cursor - 50 * 60 }).updated;
    const state = [
      { type: 'STREAM', stream: { stream_descriptor: { name: 'contacts' }, stream_state: { updated_at: cursor } } },
    ];
    const ids = async (lookback: number) =>
      new Set(
        recordsOf(await read({ lookback_window_minutes: lookback }, ['contacts'], state), 'contacts').map((c) =>
          String(c.id),
        ),
      );
    const short = await ids(5);
    const medium = await ids(30);
    const long = await ids(120);
    for (const id of recent) {
      expect(short.has(id), `${id} (10 min before the cursor) with a 5-minute lookback`).toBe(false);
      expect(medium.has(id), `${id} with a 30-minute lookback`).toBe(true);
    }
    for (const id of older) {
      expect(medium.has(id), `${id} (50 min before the cursor) with a 30-minute lookback`).toBe(false);
      expect(long.has(id), `${id} with a 120-minute lookback`).toBe(true);
    }
  });
});
