import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cur, startFakeIntercom, type FakeIntercom, type FaultRule } from '../../src/fake-intercom/index.js';
import { assertAirbyteMessage } from '../helpers/protocol.js';
import { BIN, type CliRun, lastStates, recordsOf, runCli, writeJsonFiles } from '../helpers/run-cli.js';
import { keysOf, sorted } from './keys.js';

/**
 * The fault matrix: for each fault a full read completes with exactly the server's records, or
 * (for a permanent fault) ends with the right failure_type and a state a re-run completes from.
 */
const TOKEN = 'e2e-faults-token-31c4d5e6f7';
const STREAMS = [
  'admins',
  'teams',
  'team_admin',
  'tags',
  'contacts',
  'contact_tag',
  'contact_company',
  'companies',
  'company_tag',
  'conversations',
  'conversation_parts',
  'email_address_header',
];

let fake: FakeIntercom;
let files: Record<string, string>;

const catalog = (streams: string[]) => ({
  streams: streams.map((name) => ({
    stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
    sync_mode: name === 'admins' || name.startsWith('team') || name === 'tags' ? 'full_refresh' : 'incremental',
    destination_sync_mode: 'append_dedup',
  })),
});

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 60,
    token: TOKEN,
    size: { contacts: 300, companies: 40, conversations: 80, tickets: 2, largeConversations: 0 },
    latencyMs: 1,
    scrollIdleSeconds: 2,
    scrollPageSize: 5,
  });
  // 40 companies in pages of 5: a fault on the second scroll request hits the middle of the walk.
  files = writeJsonFiles({
    config: {
      access_token: TOKEN,
      base_url: fake.url,
      request_timeout_seconds: 1,
      max_retries: 6,
      scroll_busy_wait_seconds: 1,
      max_concurrency: 4,
    },
    catalog: catalog(STREAMS),
  });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.setFaults([]);
  fake.setMutateEvery(null);
});

async function read(extra: string[] = []): Promise<CliRun> {
  const run = await runCli(BIN.airbyte, ['read', '--config', files.config!, '--catalog', files.catalog!, ...extra], {
    timeoutMs: 90_000,
  });
  for (const line of run.lines) assertAirbyteMessage(line);
  return run;
}

function expectExact(run: CliRun, streams = STREAMS): void {
  const truth = fake.groundTruth() as unknown as Record<string, string[]>;
  for (const stream of streams) {
    const keys = keysOf(run, stream);
    expect(sorted(new Set(keys)), stream).toEqual(sorted(truth[stream]!));
  }
}

const matrix: [string, FaultRule[]][] = [
  [
    '500/502/503 bursts on every route',
    [500, 502, 503].map((status) => ({ kind: 'status', status, times: 4, probability: 0.12 }) as FaultRule),
  ],
  ['connection reset mid-body', [{ kind: 'reset', times: 5, probability: 0.2 }]],
  ['truncated JSON bodies', [{ kind: 'truncate', times: 5, probability: 0.2 }]],
  ['a non-JSON 200 body', [{ kind: 'malformed', times: 3, probability: 0.2 }]],
  [
    'a hang past the request timeout',
    [
      { route: 'POST /contacts/search', kind: 'hang', times: 1 },
      { route: 'GET /conversations/{id}', kind: 'hang', times: 1 },
    ],
  ],
  // Each 429 with headers waits for the 10-second window to reset: a few concurrent ones share a wait.
  ['a 429 storm with rate-limit headers', [{ kind: '429', times: 2, withHeaders: true }]],
  ['429s without rate-limit headers', [{ kind: '429', times: 2, withHeaders: false }]],
  [
    'scroll expiry mid-walk (404 on a later page)',
    [{ route: 'GET /companies/scroll', kind: 'status', status: 404, after: 1, times: 1 }],
  ],
  [
    'a 500 mid-scroll (restart the scroll)',
    [{ route: 'GET /companies/scroll', kind: 'status', status: 500, after: 1, times: 1 }],
  ],
];

describe("fault matrix: a full read still delivers exactly the server's records", () => {
  it.each(matrix)('%s', async (name, rules) => {
    fake.setFaults(rules);
    const run = await read();
    expect(run.code, run.stderr + run.lines.filter((l) => l.includes('"ERROR"')).join('\n')).toBe(0);
    expect(fake.stats.faultsInjected).toBeGreaterThan(0);
    expectExact(run);
    if (name.includes('429 storm')) {
      // While it waits on the budget, the orchestrator sees a RATE_LIMITED stream status.
      const limited = run.messages.filter((m) => m.type === 'TRACE' && JSON.stringify(m).includes('"RATE_LIMITED"'));
      expect(limited.length).toBeGreaterThan(0);
      const reason = (limited[0]!.trace as { stream_status: { reasons: { rate_limited: { quota_reset: number } }[] } })
        .stream_status.reasons[0]!;
      expect(reason.rate_limited.quota_reset).toBeGreaterThan(Date.now() - 60_000);
    }
  });

  it('"scroll already exists": waits for the other scroll to expire, then reads every company', async () => {
    // Another client of the same app holds the scroll open.
    const res = await fetch(`${fake.url}/companies/scroll`, {
      headers: { authorization: `Bearer ${TOKEN}`, 'intercom-version': '2.14' },
    });
    expect(res.status).toBe(200);
    const run = await read();
    expect(run.code, run.stderr).toBe(0);
    expect(run.lines.some((l) => l.includes('scroll already exists'))).toBe(true);
    expectExact(run, ['companies', 'company_tag']);
  });

  it('records updated mid-sync arrive in this sync or the next one', async () => {
    fake.setMutateEvery({ requests: 7, spec: { stream: 'contacts', update: 2 } });
    const first = await read();
    fake.setMutateEvery(null);
    expect(first.code).toBe(0);
    expect(fake.stats.autoMutations).toBeGreaterThan(0);
    const last = lastStates(first);
    const { state } = writeJsonFiles({ state: last });
    const second = await read(['--state', state!]);
    expect(second.code).toBe(0);
    const truth = fake.groundTruth();
    expect(sorted(new Set(keysOf([first, second], 'contacts')))).toEqual(sorted(truth.contacts));
    // Each contact's latest version reached the destination in one of the two syncs.
    const latest = new Map<string, number>();
    for (const r of [...recordsOf(first, 'contacts'), ...recordsOf(second, 'contacts')])
      latest.set(String(r.id), Math.max(latest.get(String(r.id)) ?? 0, r.updated_at as number));
    const serverUpdatedAt = new Map(fake.workspace.recordsOf('contacts').map((c) => [c.id, cur(c).updated_at]));
    for (const [id, at] of serverUpdatedAt) expect(latest.get(id), id).toBe(at);
  });
});

describe('permanent faults end with the right failure_type and a resumable state', () => {
  it('persistent 503 on conversation search: transient_error, other streams complete, re-run completes', async () => {
    fake.setFaults([{ route: 'POST /conversations/search', kind: 'status', status: 503, times: -1 }]);
    const failed = await read();
    expect(failed.code).toBe(1);
    const errors = failed.messages
      .filter((m) => m.type === 'TRACE' && (m.trace as { type: string }).type === 'ERROR')
      .map(
        (m) =>
          (m.trace as { error: { failure_type: string; message: string; stream_descriptor?: { name: string } } }).error,
      );
    expect(errors.map((e) => e.failure_type)).toEqual(['transient_error']);
    expect(errors[0]!.message).toContain('POST /conversations/search');
    expectExact(failed, ['contacts', 'companies', 'admins']);
    fake.setFaults([]);
    const last = lastStates(failed);
    const { state } = writeJsonFiles({ state: last });
    const rerun = await read(['--state', state!]);
    expect(rerun.code).toBe(0);
    expect(sorted(new Set(keysOf([failed, rerun], 'conversations')))).toEqual(sorted(fake.groundTruth().conversations));
  });

  it('a revoked token mid-sync: config_error naming the token, every remaining stream INCOMPLETE', async () => {
    fake.setFaults([{ route: 'POST /contacts/search', kind: 'status', status: 401, times: -1 }]);
    const run = await read();
    expect(run.code).toBe(1);
    const error = run.messages.find((m) => m.type === 'TRACE' && (m.trace as { type: string }).type === 'ERROR')!
      .trace as { error: { failure_type: string; message: string } };
    expect(error.error.failure_type).toBe('config_error');
    expect(error.error.message).toContain('access token invalid or revoked');
    const finalStatus = new Map<string, string>();
    for (const m of run.messages) {
      if (m.type === 'TRACE' && (m.trace as { type: string }).type === 'STREAM_STATUS') {
        const s = (m.trace as { stream_status: { stream_descriptor: { name: string }; status: string } }).stream_status;
        finalStatus.set(s.stream_descriptor.name, s.status);
      }
    }
    expect(finalStatus.get('admins')).toBe('COMPLETE');
    for (const stream of ['contacts', 'companies', 'conversations'])
      expect(finalStatus.get(stream), stream).toBe('INCOMPLETE');
  });
});
