// Every list-reading stream against every documented paging shape: the fake serves `pages.next` as
// a URL, as `starting_after`, or not at all (page / total_pages), total_count null or a number,
// records under either documented key, in pages of 2-4 records. Each seed picks another
// combination (shapesForSeed); a reader that follows only one shape loses records here.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shapesForSeed, startFakeIntercom, type FakeIntercom, type ListShapes } from '../../src/fake-intercom/index.js';
import { assertAirbyteMessage } from '../helpers/protocol.js';
import { BIN, type CliRun, runCli, writeJsonFiles } from '../helpers/run-cli.js';
import { recordOutput } from '../helpers/secret-audit.js';
import { keysOf, sorted } from './keys.js';

const TOKEN = 'e2e-shapes-token-8d2f6a1c';
const DAY = 86_400;
const NOW = 1_749_988_800;
const START = NOW - 450 * DAY;
const LIST_STREAMS = [
  'admins',
  'teams',
  'team_admin',
  'tags',
  'segments',
  'data_attributes',
  'ticket_types',
  'subscription_types',
  'help_centers',
  'collections',
  'articles',
  'activity_logs',
  'companies',
  'company_tag',
  'company_segment',
  'notes',
];
const SIZE = {
  contacts: 12,
  companies: 23,
  conversations: 2,
  tickets: 2,
  largeConversations: 0,
  largeTickets: 0,
  admins: 7,
  teams: 5,
  tags: 9,
  segments: 7,
  articles: 9,
  collections: 7,
  helpCenters: 5,
  subscriptionTypes: 5,
  ticketTypes: 5,
  activityLogs: 900,
  notesPerContact: 4,
  eventsPerContact: 0,
};

const catalog = (streams: string[]) => ({
  streams: streams.map((name) => ({
    stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] },
    sync_mode: 'full_refresh',
    destination_sync_mode: 'overwrite',
  })),
});

function traces(run: CliRun, type: string): Record<string, unknown>[] {
  return run.messages
    .filter((m) => m.type === 'TRACE' && (m.trace as { type: string }).type === type)
    .map((m) => m.trace as Record<string, unknown>);
}

describe.each([1, 2, 3])('seed %i: every list stream reads completely in its paging shape', (seed) => {
  const shapes: ListShapes = shapesForSeed(seed);
  let fake: FakeIntercom;
  let run: CliRun;

  beforeAll(async () => {
    fake = await startFakeIntercom({ seed, token: TOKEN, now: NOW, size: SIZE, shapes: 'seed' });
    const files = writeJsonFiles({
      // 2.14 and 2.15 alternate with the seed (their list schemas are the same).
      config: {
        access_token: TOKEN,
        base_url: fake.url,
        start_date: new Date(START * 1000).toISOString(),
        api_version: seed % 2 ? '2.14' : '2.15',
      },
      catalog: catalog(LIST_STREAMS),
    });
    run = await runCli(BIN.airbyte, ['read', '--config', files.config!, '--catalog', files.catalog!], {
      timeoutMs: 90_000,
    });
    for (const line of run.lines) assertAirbyteMessage(line);
  }, 120_000);
  afterAll(async () => {
    await fake.close();
  });

  it(`(${shapes.next} paging, total_count ${shapes.totalCount}, ${shapes.recordsKey} records key, ${shapes.pageSize} per page) delivers exactly the server's records`, () => {
    expect(run.code, run.stderr + run.lines.filter((l) => l.includes('"ERROR"')).join('\n')).toBe(0);
    const truth = fake.groundTruth() as unknown as Record<string, string[]>;
    // Articles are incremental from start_date even in a full refresh: older ones are not read.
    truth.articles = truth.articles!.filter(
      (id) => (fake.workspace.renderArticle(Number(id) - 3_000_000) as { updated_at: number }).updated_at >= START,
    );
    for (const stream of LIST_STREAMS) {
      expect(truth[stream]!.length, `${stream} needs several pages`).toBeGreaterThan(shapes.pageSize);
      expect(sorted(new Set(keysOf(run, stream))), stream).toEqual(sorted(truth[stream]!));
    }
  });

  it('reads every activity-log window over several pages', () => {
    // A page holds at most pageSize logs: fewer requests than logs / pageSize means a page was skipped.
    const logs = fake.groundTruth().activity_logs.length;
    const requests = fake.stats.byRoute['GET /admins/activity_logs'] ?? 0;
    expect(requests).toBeGreaterThanOrEqual(Math.ceil(logs / shapes.pageSize));
    // About 90 five-day windows for 900 logs: on average each needs well over one page.
    expect(requests / 90).toBeGreaterThan(2);
  });

  it("reports each stream's row estimate once, not once per page", () => {
    const byStream = new Map<string, number>();
    for (const t of traces(run, 'ESTIMATE')) {
      const name = (t.estimate as { name: string }).name;
      byStream.set(name, (byStream.get(name) ?? 0) + 1);
    }
    for (const [name, count] of byStream) expect(count, name).toBe(1);
  });
});

/**
 * Reads stdout slowly: after each chunk the pipe is left full for `pauseMs`, so the connector blocks
 * on backpressure for longer than the scroll's idle lifetime.
 */
function runWithSlowReader(args: string[], pauseMs: number, timeoutMs: number): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN.airbyte, ...args], {
      env: { ...process.env, INTERCOM_CONNECTOR_RETRY_BASE_MS: '20' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`slow-reader run timed out; stderr: ${stderr.slice(-2000)}`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      child.stdout.pause();
      setTimeout(() => child.stdout.resume(), pauseMs);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      recordOutput(`${BIN.airbyte} ${args.join(' ')}`, stdout + stderr);
      const lines = stdout.split('\n').filter((l) => l.length > 0);
      resolve({
        code,
        signal,
        stdout,
        stderr,
        lines,
        messages: lines.map((l) => JSON.parse(l) as Record<string, unknown>),
      });
    });
  });
}

describe('companies: a scroll that expires mid-walk under a slow downstream (total_count null)', () => {
  let fake: FakeIntercom;

  beforeAll(async () => {
    // The OpenAPI example's shape: total_count null, so a 404 cannot be told from the end by counting.
    fake = await startFakeIntercom({
      seed: 7,
      token: TOKEN,
      size: { contacts: 2, companies: 300, conversations: 1, tickets: 1, largeConversations: 0, largeTickets: 0 },
      shapes: { next: 'cursor', totalCount: 'null', recordsKey: 'alternate', pageSize: 3 },
      scrollIdleSeconds: 1,
      scrollPageSize: 3,
    });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('restarts the expired scroll and delivers every company, exit 0 only when complete', async () => {
    const streams = ['companies', 'company_tag', 'company_segment'];
    const files = writeJsonFiles({ config: { access_token: TOKEN, base_url: fake.url }, catalog: catalog(streams) });
    const run = await runWithSlowReader(
      ['read', '--config', files.config!, '--catalog', files.catalog!],
      2000,
      120_000,
    );
    for (const line of run.lines) assertAirbyteMessage(line);
    // The scroll did expire mid-walk: the fake answered 404 to a scroll_param after the first page.
    expect(fake.stats.byStatus['404'] ?? 0).toBeGreaterThan(0);
    expect(run.code, run.stderr.slice(-2000)).toBe(0);
    const truth = fake.groundTruth();
    for (const stream of streams)
      expect(sorted(new Set(keysOf(run, stream))), stream).toEqual(
        sorted((truth as unknown as Record<string, string[]>)[stream]!),
      );
  }, 150_000);

  it('a scroll that keeps answering 404 after its first page fails the stream instead of ending it short', async () => {
    fake.setFaults([{ route: 'GET /companies/scroll', kind: 'status', status: 404, after: 1, times: -1 }]);
    try {
      const files = writeJsonFiles({
        config: { access_token: TOKEN, base_url: fake.url },
        catalog: catalog(['companies']),
      });
      const run = await runCli(BIN.airbyte, ['read', '--config', files.config!, '--catalog', files.catalog!], {
        timeoutMs: 60_000,
      });
      for (const line of run.lines) assertAirbyteMessage(line);
      const errors = traces(run, 'ERROR');
      expect(errors).toHaveLength(1);
      expect((errors[0]!.error as { message: string }).message).toMatch(
        /companies: the scroll kept breaking before its end/,
      );
      expect(run.code).not.toBe(0);
    } finally {
      fake.setFaults([]);
    }
  }, 90_000);
});
