import { afterEach, describe, expect, it } from 'vitest';
import { cur, startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { assertAirbyteMessage } from '../helpers/protocol.js';
import { BIN, type CliRun, lastStates, recordsOf, runCli, writeJsonFiles } from '../helpers/run-cli.js';
import { keysOf, sorted } from './keys.js';

const TOKEN = 'e2e-incremental-token-5b1d0e';
const DAY = 86_400;
let fake: FakeIntercom | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

function catalog(streams: string[], mode: 'incremental' | 'full_refresh' = 'incremental'): unknown {
  return {
    streams: streams.map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
      sync_mode: mode,
      destination_sync_mode: 'append_dedup',
    })),
  };
}

describe('incremental reads lose nothing', () => {
  it("delivers every record changed after the cursor, including later on the cursor's UTC day and just before and after midnight", async () => {
    const midnight = Math.floor(Date.now() / 1000 / DAY) * DAY - 5 * DAY;
    fake = await startFakeIntercom({
      seed: 21,
      token: TOKEN,
      now: midnight + 3600,
      size: { contacts: 600, companies: 60, conversations: 200, tickets: 5, largeConversations: 0 },
    });
    const cursor = midnight - 30; // 23:59:30 UTC
    const changed = new Map<string, Set<string>>([
      ['contacts', new Set()],
      ['conversations', new Set()],
      ['companies', new Set()],
    ]);
    const times = [cursor - 120, midnight - 10, midnight - 1, midnight + 5, midnight + 1800];
    for (const stream of ['contacts', 'conversations', 'companies'] as const) {
      for (const at of times) {
        const result = fake.mutate({ stream, update: 3, create: stream === 'companies' ? 0 : 1, at });
        for (const id of [...result.updated, ...result.created]) changed.get(stream)!.add(id);
      }
    }
    const state = ['contacts', 'conversations', 'companies', 'contact_tag', 'conversation_parts'].map((name) => ({
      type: 'STREAM',
      stream: { stream_descriptor: { name }, stream_state: { updated_at: cursor } },
    }));
    const files = writeJsonFiles({
      config: { access_token: TOKEN, base_url: fake.url },
      catalog: catalog(['contacts', 'contact_tag', 'conversations', 'conversation_parts', 'companies']),
      state,
    });
    const run = await runCli(BIN.airbyte, [
      'read',
      '--config',
      files.config!,
      '--catalog',
      files.catalog!,
      '--state',
      files.state!,
    ]);
    expect(run.code, run.stderr).toBe(0);
    for (const line of run.lines) assertAirbyteMessage(line);

    const lookback = 30 * 60;
    const report: string[] = [];
    for (const [stream, ids] of changed) {
      const records = recordsOf(run, stream);
      const delivered = new Set(records.map((r) => String(r.id)));
      for (const id of ids) expect(delivered.has(id), `${stream} ${id} changed after the cursor`).toBe(true);
      // Nothing older than cursor - lookback comes back: the day-granular search is filtered locally.
      for (const r of records) expect(r.updated_at as number).toBeGreaterThanOrEqual(cursor - lookback);
      const unchanged = records.filter((r) => !ids.has(String(r.id))).length;
      report.push(
        `${stream}: ${records.length} delivered, ${ids.size} changed, ${unchanged} unchanged re-delivered (${((100 * unchanged) / Math.max(1, records.length)).toFixed(0)}%)`,
      );
      // Exactly the server's records updated inside [cursor - lookback, now): the changed ones and
      // the unchanged ones inside the lookback window, no more, none missing (from the fake's data,
      // not from what the connector delivered).
      const inWindow = fake.workspace
        .recordsOf(stream as 'contacts' | 'conversations' | 'companies')
        .filter((r) => !cur(r).deleted && cur(r).updated_at >= cursor - lookback)
        .map((r) => r.id);
      expect(sorted(delivered), stream).toEqual(sorted(inWindow));
    }
    // Parts of changed conversations come too.
    const partConversations = new Set(recordsOf(run, 'conversation_parts').map((p) => String(p.conversation_id)));
    for (const id of changed.get('conversations')!)
      expect(partConversations.has(id), `parts of conversation ${id}`).toBe(true);
    console.info(`incremental re-delivery: ${report.join('; ')}`);
  });

  it('a state cursor in the future yields no records but a STATE for each stream', async () => {
    fake = await startFakeIntercom({
      seed: 22,
      token: TOKEN,
      size: { contacts: 100, companies: 20, conversations: 30, tickets: 2 },
    });
    const future = Math.floor(Date.now() / 1000) + 10 * DAY;
    const streams = ['contacts', 'contact_tag', 'companies', 'company_tag', 'conversations', 'conversation_parts'];
    const state = streams.map((name) => ({
      type: 'STREAM',
      stream: { stream_descriptor: { name }, stream_state: { updated_at: future } },
    }));
    const files = writeJsonFiles({
      config: { access_token: TOKEN, base_url: fake.url },
      catalog: catalog(streams),
      state,
    });
    const run = await runCli(BIN.airbyte, [
      'read',
      '--config',
      files.config!,
      '--catalog',
      files.catalog!,
      '--state',
      files.state!,
    ]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.messages.filter((m) => m.type === 'RECORD')).toEqual([]);
    const stated = new Set(
      run.messages
        .filter((m) => m.type === 'STATE')
        .map((m) => (m.state as { stream: { stream_descriptor: { name: string } } }).stream.stream_descriptor.name),
    );
    expect(sorted(stated)).toEqual(sorted(streams));
    for (const m of run.messages.filter((x) => x.type === 'STATE')) {
      expect(
        (m.state as { stream: { stream_state: { updated_at: number } } }).stream.stream_state.updated_at,
      ).toBeGreaterThanOrEqual(future);
    }
  });

  it.each([1, 3, 6])(
    'kill -9 after STATE #%i and resume from the last STATE: the union covers everything',
    async (killAfter) => {
      fake = await startFakeIntercom({
        seed: 30 + killAfter,
        token: TOKEN,
        size: { contacts: 500, companies: 30, conversations: 150, tickets: 2, largeConversations: 0 },
        latencyMs: 3,
      });
      const streams = [
        'contacts',
        'contact_tag',
        'contact_company',
        'conversations',
        'conversation_parts',
        'email_address_header',
        'conversation_tag',
      ];
      const config = {
        access_token: TOKEN,
        base_url: fake.url,
        slice_days: 20,
        checkpoint_every_records: 1,
        max_concurrency: 2,
      };
      const files = writeJsonFiles({ config, catalog: catalog(streams) });
      let states = 0;
      const first = await runCli(BIN.airbyte, ['read', '--config', files.config!, '--catalog', files.catalog!], {
        onLine: (line, child) => {
          if (line.startsWith('{"type":"STATE"') && ++states === killAfter) child.kill('SIGKILL');
        },
      });
      expect(first.signal).toBe('SIGKILL');
      // Only complete lines count: what the orchestrator had received when the process died.
      const received: CliRun = { ...first, messages: first.messages.filter((m) => !('__unparsable' in m)) };
      const resumeState = writeJsonFiles({ state: lastStates([received]) });
      const second = await runCli(BIN.airbyte, [
        'read',
        '--config',
        files.config!,
        '--catalog',
        files.catalog!,
        '--state',
        resumeState.state!,
      ]);
      expect(second.code, second.stderr).toBe(0);
      const truth = fake.groundTruth() as unknown as Record<string, string[]>;
      for (const stream of streams) {
        const union = new Set(keysOf([received, second], stream));
        expect(sorted(union), stream).toEqual(sorted(truth[stream]!));
      }
    },
  );
});

describe('conversation parts are fetched concurrently within the budget', () => {
  it('overlaps detail requests and never exceeds the per-10-second budget', async () => {
    const budget = 150;
    // The pacer spreads a window's budget evenly (150 per 10 s: one request per ~67 ms), so
    // requests overlap only when an answer takes longer than that gap: at 400 ms about six are in
    // flight. 240 detail GETs still need two windows, so the budget binds.
    fake = await startFakeIntercom({
      seed: 40,
      token: TOKEN,
      size: { contacts: 10, companies: 5, conversations: 240, tickets: 1, largeConversations: 0 },
      latencyMs: 400,
      ratePer10s: budget,
    });
    const files = writeJsonFiles({
      config: { access_token: TOKEN, base_url: fake.url, max_concurrency: 8 },
      catalog: catalog(['conversations', 'conversation_parts']),
    });
    fake.resetStats();
    const run = await runCli(BIN.airbyte, ['read', '--config', files.config!, '--catalog', files.catalog!], {
      timeoutMs: 120_000,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(sorted(keysOf(run, 'conversations'))).toEqual(sorted(fake.groundTruth().conversations));
    const stats = fake.stats;
    expect(stats.byRoute['GET /conversations/{id}']).toBe(240);
    expect(stats.maxInFlight).toBeGreaterThanOrEqual(4);
    expect(stats.rateLimited).toBe(0);
    for (const w of stats.windows) expect(w.count).toBeLessThanOrEqual(budget);
  });
});
