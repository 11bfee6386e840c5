import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { BIN, type CliRun, lastStates, runCli, writeJsonFiles } from '../helpers/run-cli.js';
import { keysOf, sorted } from './keys.js';

/**
 * Crash safety: SIGKILL the source at 20 seeded points spread over a whole multi-stream read,
 * resume each time from the last STATE the orchestrator received: the union of the records of
 * the two runs is exactly the server's records.
 */
const TOKEN = 'e2e-crash-token-8d7e6f5a4b';
const STREAMS = [
  'contacts',
  'contact_tag',
  'companies',
  'company_tag',
  'conversations',
  'conversation_parts',
  'email_address_header',
  'tickets',
  'ticket_parts',
  'teams',
  'team_admin',
];
const POINTS = 20;

let fake: FakeIntercom;
let files: Record<string, string>;
let reference: CliRun;

const catalog = {
  streams: STREAMS.map((name) => ({
    stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
    sync_mode: name.startsWith('team') ? 'full_refresh' : 'incremental',
    destination_sync_mode: 'append_dedup',
  })),
};

/** Deterministic points in (0, n) per mille of the reference output: a small LCG, reproducible. */
function seededPoints(n: number, count: number, seed = 2026): number[] {
  let x = seed;
  const points: number[] = [];
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    points.push(1 + (x % Math.max(1, n - 1)));
  }
  return points.sort((a, b) => a - b);
}

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 70,
    token: TOKEN,
    size: { contacts: 160, companies: 24, conversations: 40, tickets: 12, largeConversations: 0, largeTickets: 0 },
    latencyMs: 1,
    scrollIdleSeconds: 2,
  });
  // A kill mid-scroll leaves Intercom's company scroll open: the resume waits for it to expire.
  files = writeJsonFiles({
    config: {
      access_token: TOKEN,
      base_url: fake.url,
      slice_days: 45,
      checkpoint_every_records: 1,
      max_concurrency: 3,
      scroll_busy_wait_seconds: 1,
    },
    catalog,
  });
  reference = await runCli(BIN.airbyte, ['read', '--config', files.config!, '--catalog', files.catalog!]);
});
afterAll(async () => {
  await fake.close();
});

describe(`SIGKILL at ${POINTS} seeded points, then resume from the last STATE`, () => {
  it("the uninterrupted read is the reference: exactly the server's records", () => {
    expect(reference.code, reference.stderr).toBe(0);
    const truth = fake.groundTruth() as unknown as Record<string, string[]>;
    for (const stream of STREAMS)
      expect(sorted(new Set(keysOf(reference, stream))), stream).toEqual(sorted(truth[stream]!));
  });

  it.each(seededPoints(1000, POINTS).map((p, i) => [i + 1, p]))(
    'kill #%i at %i per mille of the output: the union covers everything',
    async (_n, perMille) => {
      const killAt = Math.max(1, Math.floor((perMille / 1000) * (reference.lines.length - 1)));
      let seen = 0;
      const first = await runCli(BIN.airbyte, ['read', '--config', files.config!, '--catalog', files.catalog!], {
        onLine: (_line, child) => {
          if (++seen === killAt) child.kill('SIGKILL');
        },
      });
      // Only the complete lines received before the kill count.
      const received: CliRun = {
        ...first,
        messages: first.messages.filter((m) => !('__unparsable' in m)).slice(0, killAt),
      };
      const last = lastStates(received);
      const resume = writeJsonFiles({ state: last });
      const second = await runCli(BIN.airbyte, [
        'read',
        '--config',
        files.config!,
        '--catalog',
        files.catalog!,
        '--state',
        resume.state!,
      ]);
      expect(second.code, second.stderr).toBe(0);
      const truth = fake.groundTruth() as unknown as Record<string, string[]>;
      for (const stream of STREAMS)
        expect(sorted(new Set(keysOf([received, second], stream))), stream).toEqual(sorted(truth[stream]!));
    },
  );
});
