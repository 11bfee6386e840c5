import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { assertAirbyteMessage, assertSingerMessage } from '../helpers/protocol.js';
import { BIN, repoRoot, runCli, writeJsonFiles, type CliRun } from '../helpers/run-cli.js';
import { keysOf, sorted } from './keys.js';

const TOKEN = 'e2e-source-token-7f3a9c2e11';
const STREAMS = [
  'admins',
  'teams',
  'team_admin',
  'tags',
  'segments',
  'data_attributes',
  'contacts',
  'contact_tag',
  'contact_company',
  'companies',
  'company_tag',
  'company_segment',
  'conversations',
  'conversation_tag',
  'conversation_parts',
  'email_address_header',
] as const;

let fake: FakeIntercom;
let files: Record<string, string>;
let airbyteRun: CliRun;

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 11,
    token: TOKEN,
    size: { contacts: 450, companies: 90, conversations: 160, tickets: 10, largeConversations: 2 },
    latencyMs: 2,
  });
  files = writeJsonFiles({
    config: { access_token: TOKEN, base_url: fake.url },
    badToken: { access_token: 'wrong-token-0000000000', base_url: fake.url },
    catalog: JSON.parse(readFileSync(`${repoRoot}catalog.sample.json`, 'utf8')) as unknown,
  });
  airbyteRun = await runCli(BIN.airbyte, ['read', '--config', files.config!, '--catalog', files.catalog!]);
});
afterAll(async () => {
  await fake.close();
});

describe('Airbyte read (built CLI against the fake Intercom)', () => {
  it('exits 0 and every stdout line is a valid Airbyte message', () => {
    expect(airbyteRun.code, airbyteRun.stderr).toBe(0);
    expect(airbyteRun.lines.length).toBeGreaterThan(100);
    for (const line of airbyteRun.lines) assertAirbyteMessage(line);
  });

  it.each(STREAMS)(
    "delivers exactly the server's primary keys for %s (no loss, no extras, no duplicates)",
    (stream) => {
      const truth = fake.groundTruth() as unknown as Record<string, string[]>;
      const keys = keysOf(airbyteRun, stream);
      expect(keys.length, `${stream} duplicates`).toBe(new Set(keys).size);
      expect(sorted(keys)).toEqual(sorted(truth[stream]!));
    },
  );

  it('emits STARTED, RUNNING and COMPLETE per stream and a per-stream STATE with recordCount', () => {
    const statuses = airbyteRun.messages.filter(
      (m) => m.type === 'TRACE' && (m.trace as { type: string }).type === 'STREAM_STATUS',
    );
    for (const stream of STREAMS) {
      const seq = statuses
        .map(
          (m) => (m.trace as { stream_status: { stream_descriptor: { name: string }; status: string } }).stream_status,
        )
        .filter((s) => s.stream_descriptor.name === stream)
        .map((s) => s.status);
      expect(seq[0], stream).toBe('STARTED');
      expect(seq).toContain('RUNNING');
      expect(seq.at(-1), stream).toBe('COMPLETE');
    }
    const states = airbyteRun.messages
      .filter((m) => m.type === 'STATE')
      .map(
        (m) =>
          m.state as {
            type: string;
            stream: { stream_descriptor: { name: string }; stream_state: Record<string, unknown> };
            sourceStats: { recordCount: number };
          },
      );
    for (const stream of STREAMS) {
      const own = states.filter((s) => s.stream.stream_descriptor.name === stream);
      expect(own.length, stream).toBeGreaterThan(0);
      expect(own.every((s) => s.type === 'STREAM')).toBe(true);
      const counted = own.reduce((n, s) => n + s.sourceStats.recordCount, 0);
      expect(counted, `${stream} recordCount sums to the records sent`).toBe(keysOf(airbyteRun, stream).length);
    }
    const contactsState = states.filter((s) => s.stream.stream_descriptor.name === 'contacts').at(-1)!;
    expect(typeof contactsState.stream.stream_state.updated_at).toBe('number');
  });

  it('emits custom_attributes as JSON strings and keeps other nested objects as objects', () => {
    const contact = airbyteRun.messages.find(
      (m) => m.type === 'RECORD' && (m.record as { stream: string }).stream === 'contacts',
    )!.record as { data: Record<string, unknown> };
    expect(typeof contact.data.custom_attributes).toBe('string');
    expect(JSON.parse(contact.data.custom_attributes as string)).toBeTypeOf('object');
    expect(contact.data.location).toBeTypeOf('object');
  });

  it('warns by name about every conversation whose parts exceed the 500-part cap', () => {
    const truncated = fake.groundTruth().truncated.conversations;
    expect(truncated.length).toBe(2);
    const warnings = airbyteRun.messages
      .filter((m) => m.type === 'LOG' && /PARTS_TRUNCATED/.test((m.log as { message: string }).message))
      .map((m) => (m.log as { message: string }).message);
    for (const t of truncated)
      expect(warnings.some((w) => w.includes(`conversation ${t.id}:`) && w.includes(`${t.missing} older parts`))).toBe(
        true,
      );
  });

  it('ends with a summary LOG per stream: records, requests, rate-limit waits, status, truncated parts', () => {
    const summaries = airbyteRun.messages
      .filter((m) => m.type === 'LOG' && (m.log as { message: string }).message.startsWith('Summary '))
      .map((m) => (m.log as { message: string }).message);
    for (const stream of STREAMS) {
      const line = summaries.find((l) => l.startsWith(`Summary ${stream}: `));
      expect(line, stream).toBeDefined();
      expect(line).toContain(`${keysOf(airbyteRun, stream).length} records`);
      expect(line).toContain('COMPLETE');
    }
    expect(summaries.find((l) => l.startsWith('Summary conversation_parts: '))).toContain(
      '2 conversations with more than 500 parts',
    );
    // Progress lines go to stderr, never stdout.
    expect(airbyteRun.lines.every((l) => l.startsWith('{'))).toBe(true);
  });

  it('never prints the token', () => {
    expect(airbyteRun.stdout).not.toContain(TOKEN);
    expect(airbyteRun.stderr).not.toContain(TOKEN);
  });
});

describe('Singer tap (built CLI against the fake Intercom)', () => {
  it('discovers, then syncs selected streams with SCHEMA before RECORDs and STATE bookmarks', async () => {
    const discovered = await runCli(BIN.tap, ['--config', files.config!, '--discover']);
    expect(discovered.code).toBe(0);
    const catalog = JSON.parse(discovered.stdout) as {
      streams: { tap_stream_id: string; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[];
    };
    const wanted = new Set(['teams', 'team_admin', 'contacts', 'contact_tag', 'companies']);
    for (const s of catalog.streams) {
      const root = s.metadata.find((m) => m.breadcrumb.length === 0)!;
      root.metadata.selected = wanted.has(s.tap_stream_id);
    }
    const { catalog: catalogPath } = writeJsonFiles({ catalog });
    const run = await runCli(BIN.tap, ['--config', files.config!, '--catalog', catalogPath!]);
    expect(run.code, run.stderr).toBe(0);
    const seenSchema = new Set<string>();
    for (const line of run.lines) {
      const m = assertSingerMessage(line) as { type: string; stream?: string };
      if (m.type === 'SCHEMA') seenSchema.add(m.stream!);
      if (m.type === 'RECORD') expect(seenSchema.has(m.stream!), `SCHEMA before RECORD of ${m.stream}`).toBe(true);
    }
    const truth = fake.groundTruth() as unknown as Record<string, string[]>;
    for (const stream of wanted) expect(sorted(keysOf(run, stream)), stream).toEqual(sorted(truth[stream]!));
    expect(keysOf(run, 'admins')).toEqual([]);
    const lastState = run.messages.filter((m) => m.type === 'STATE').at(-1)!.value as {
      bookmarks: Record<string, { updated_at?: number }>;
    };
    expect(typeof lastState.bookmarks.contacts?.updated_at).toBe('number');
    expect(typeof lastState.bookmarks.companies?.updated_at).toBe('number');
    expect(run.stderr).toMatch(/INFO/);
    // Singer metrics for Meltano: a record_count counter per stream and request timers.
    const metrics = run.stderr
      .split('\n')
      .filter((l) => l.startsWith('METRIC: '))
      .map(
        (l) => JSON.parse(l.slice(8)) as { type: string; metric: string; value: number; tags: Record<string, unknown> },
      );
    const counts = new Map(metrics.filter((m) => m.metric === 'record_count').map((m) => [m.tags.endpoint, m.value]));
    for (const stream of wanted) expect(counts.get(stream), stream).toBe(keysOf(run, stream).length);
    // Request timers are summed per stream and outcome (one line per minute, not per request).
    expect(
      metrics.some(
        (m) =>
          m.type === 'timer' &&
          m.metric === 'http_request_duration' &&
          m.tags.endpoint === 'contacts' &&
          m.tags.status === 'succeeded' &&
          Number(m.tags.requests) >= 1,
      ),
    ).toBe(true);
    expect(run.stderr).not.toContain(TOKEN);
  });

  it('--properties works as the legacy name of --catalog', async () => {
    const catalog = {
      streams: [
        {
          tap_stream_id: 'tags',
          stream: 'tags',
          schema: {},
          metadata: [{ breadcrumb: [], metadata: { selected: true } }],
        },
      ],
    };
    const { catalog: catalogPath } = writeJsonFiles({ catalog });
    const run = await runCli(BIN.tap, ['--config', files.config!, '--properties', catalogPath!]);
    expect(run.code, run.stderr).toBe(0);
    expect(sorted(keysOf(run, 'tags'))).toEqual(sorted(fake.groundTruth().tags));
  });
});

describe('check', () => {
  it('succeeds and names the workspace and admin', async () => {
    const run = await runCli(BIN.airbyte, ['check', '--config', files.config!]);
    const status = assertAirbyteMessage(run.lines.at(-1)!) as { connectionStatus: { status: string; message: string } };
    expect(status.connectionStatus.status).toBe('SUCCEEDED');
    const me = (await (
      await fetch(`${fake.url}/me`, { headers: { authorization: `Bearer ${TOKEN}`, 'intercom-version': '2.14' } })
    ).json()) as { name: string; app: { name: string } };
    expect(status.connectionStatus.message).toContain(me.app.name);
    expect(status.connectionStatus.message).toContain(me.name);
  });

  it('fails with "access token invalid or revoked" on 401, without printing the token', async () => {
    const run = await runCli(BIN.airbyte, ['check', '--config', files.badToken!]);
    const status = assertAirbyteMessage(run.lines.at(-1)!) as { connectionStatus: { status: string; message: string } };
    expect(status.connectionStatus.status).toBe('FAILED');
    expect(status.connectionStatus.message).toContain('access token invalid or revoked');
    expect(run.stdout + run.stderr).not.toContain('wrong-token-0000000000');
  });

  it('names the URL and the network error when the host is unreachable', async () => {
    const { config } = writeJsonFiles({ config: { access_token: TOKEN, base_url: 'http://127.0.0.1:9' } });
    const run = await runCli(BIN.airbyte, ['check', '--config', config!]);
    const status = assertAirbyteMessage(run.lines.at(-1)!) as { connectionStatus: { status: string; message: string } };
    expect(status.connectionStatus.status).toBe('FAILED');
    expect(status.connectionStatus.message).toContain('http://127.0.0.1:9/me');
    expect(status.connectionStatus.message).toContain('ECONNREFUSED');
  });

  it('names the missing permission on 403', async () => {
    fake.setFaults([{ route: 'GET /me', kind: 'status', status: 403, times: 1 }]);
    const run = await runCli(BIN.airbyte, ['check', '--config', files.config!]);
    const status = assertAirbyteMessage(run.lines.at(-1)!) as { connectionStatus: { status: string; message: string } };
    expect(status.connectionStatus.status).toBe('FAILED');
    expect(status.connectionStatus.message).toMatch(/lacks a permission needed for GET \/me/);
  });
});
