// Reporting Data Export streams through the built CLI (Airbyte and Singer) against the fake
// Intercom: full and incremental reads equal the fake's rows exactly; kill -9 while a job is polled
// and while a file is downloaded, then resume: nothing lost, no job left pending; the limit of 5
// pending jobs is waited out; a job that fails twice ends the stream INCOMPLETE naming the window.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_DATASETS, exportsOf, timeOf, type FakeExports } from '../../src/fake-intercom/exports.js';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { assertAirbyteMessage, assertSingerMessage } from '../helpers/protocol.js';
import {
  BIN,
  type CliRun,
  type RunOptions,
  lastStates,
  recordsOf,
  runCli,
  writeJsonFiles,
} from '../helpers/run-cli.js';

const TOKEN = 'e2e-exports-token-5c7a9e';
const DAY = 86_400;
const STREAMS = FAKE_DATASETS.map((d) => `reporting_${d.id}`);
const ENV = { INTERCOM_CONNECTOR_EXPORT_POLL_BASE_MS: '5' };

// Parsed protocol messages (validated against the protocol schema first).
type Message = Record<string, any>;
type Row = Record<string, unknown>;

let fake: FakeIntercom;
let ex: FakeExports;
let startDate: string;

/**
 * What each dataset's rows must look like, typed from the attribute's data_type independently of
 * the connector's code: '' is null, datetimes Unix seconds; _row_id the identifier attribute, or
 * SHA-256 of the values in attribute order; _time the default time attribute.
 */
function expectedRows(datasetId: string): Map<string, Row> {
  const dataset = FAKE_DATASETS.find((d) => d.id === datasetId)!;
  const out = new Map<string, Row>();
  for (const csv of ex.rows.get(datasetId)!) {
    const row: Row = {};
    for (const a of dataset.attributes) {
      const text = csv[a.id] ?? '';
      row[a.id] =
        text === ''
          ? null
          : a.data_type === 'integer' || a.data_type === 'float'
            ? Number(text)
            : a.data_type === 'boolean'
              ? text === 'true'
              : a.data_type === 'datetime'
                ? timeOf(text)
                : text;
    }
    const identifier = dataset.attributes.find((a) => a.id === `${dataset.id}_id`);
    row._row_id = identifier
      ? String(row[identifier.id])
      : createHash('sha256')
          .update(JSON.stringify(dataset.attributes.map((a) => row[a.id])))
          .digest('hex');
    row._time = row[dataset.default_time_attribute_id];
    out.set(row._row_id as string, row);
  }
  return out;
}

/** Records of a stream over several runs, later ones replacing earlier ones with the same key (append_dedup). */
function delivered(runs: CliRun[], stream: string): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const run of runs) for (const record of recordsOf(run, stream)) out.set(record._row_id as string, record);
  return out;
}

const airbyteCatalog = (streams: readonly string[], mode: 'incremental' | 'full_refresh') => ({
  streams: streams.map((name) => ({
    stream: {
      name,
      json_schema: {},
      supported_sync_modes: ['full_refresh', 'incremental'],
      source_defined_cursor: true,
      default_cursor_field: ['_time'],
    },
    sync_mode: mode,
    ...(mode === 'incremental' ? { cursor_field: ['_time'] } : {}),
    destination_sync_mode: mode === 'incremental' ? 'append_dedup' : 'overwrite',
    primary_key: [['_row_id']],
  })),
});

function configOf(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    access_token: TOKEN,
    base_url: fake.url,
    start_date: startDate,
    reporting_datasets: FAKE_DATASETS.map((d) => d.id),
    reporting_window_days: 7,
    ...extra,
  };
}

async function airbyteRead(
  opts: {
    streams?: readonly string[];
    mode?: 'incremental' | 'full_refresh';
    state?: unknown;
    config?: Record<string, unknown>;
    onLine?: RunOptions['onLine'];
  } = {},
): Promise<CliRun> {
  const files = writeJsonFiles({
    config: configOf(opts.config),
    catalog: airbyteCatalog(opts.streams ?? STREAMS, opts.mode ?? 'incremental'),
    ...(opts.state ? { state: opts.state } : {}),
  });
  const run = await runCli(
    BIN.airbyte,
    ['read', '--config', files.config!, '--catalog', files.catalog!, ...(files.state ? ['--state', files.state] : [])],
    { env: ENV, onLine: opts.onLine, timeoutMs: 120_000 },
  );
  if (!opts.onLine) for (const line of run.lines) assertAirbyteMessage(line);
  return run;
}

const statusOf = (run: CliRun, stream: string): string | undefined =>
  (run.messages as Message[])
    .filter(
      (m) =>
        m.type === 'TRACE' &&
        m.trace.type === 'STREAM_STATUS' &&
        m.trace.stream_status.stream_descriptor.name === stream,
    )
    .at(-1)?.trace.stream_status.status;
const errorsOf = (run: CliRun): Message[] =>
  (run.messages as Message[]).filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR').map((m) => m.trace.error);

function expectExactly(runs: CliRun[], stream: string): void {
  const datasetId = stream.replace(/^reporting_/, '');
  const want = expectedRows(datasetId);
  const got = delivered(runs, stream);
  expect(got.size, `${stream}: rows`).toBe(want.size);
  for (const [key, row] of want) expect(got.get(key), `${stream} ${key}`).toEqual(row);
}

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 61,
    token: TOKEN,
    size: { contacts: 2, companies: 1, conversations: 1, tickets: 0, largeConversations: 0, largeTickets: 0 },
  });
  ex = exportsOf(fake.workspace);
  // The fake's rows span the 30 days before it started.
  startDate = new Date((fake.now() - 31 * DAY) * 1000).toISOString();
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => {
  ex.pollsToComplete = 3;
  ex.failNextJobs = 0;
  ex.expireNextDownloads = 0;
  ex.foreignPending = 0;
  fake.setFaults([]);
});

describe('discover', () => {
  it('offers each configured dataset as a stream with a typed column per attribute, key _row_id, cursor _time', async () => {
    const files = writeJsonFiles({ config: configOf() });
    const run = await runCli(BIN.airbyte, ['discover', '--config', files.config!]);
    expect(run.code, run.stderr).toBe(0);
    const catalog = (run.messages as Message[]).find((m) => m.type === 'CATALOG')!.catalog;
    const stream = catalog.streams.find((s: Message) => s.name === 'reporting_conversation');
    expect(stream.source_defined_primary_key).toEqual([['_row_id']]);
    expect(stream.default_cursor_field).toEqual(['_time']);
    const props = stream.json_schema.properties;
    expect(props.first_response_time_seconds.type).toEqual(['null', 'integer']);
    expect(props.csat_rating.type).toEqual(['null', 'number']);
    expect(props.is_reopened.type).toEqual(['null', 'boolean']);
    expect(props.conversation_started_at.type).toEqual(['null', 'integer']);
    expect(props.subject.type).toEqual(['null', 'string']);
    expect(catalog.streams.some((s: Message) => s.name === 'reporting_conversation_actions')).toBe(true);
  });
});

describe('every offered dataset by default (reporting_datasets absent: ["*"])', () => {
  const defaults = (extra: Record<string, unknown> = {}): Record<string, unknown> => {
    const { reporting_datasets: _named, ...rest } = configOf(extra);
    return rest;
  };

  it('discover offers a stream per dataset get_datasets lists; a read of the catalog it gave is exact', async () => {
    const files = writeJsonFiles({ config: defaults({ stream_prefix: 'ic_' }) });
    const run = await runCli(BIN.airbyte, ['discover', '--config', files.config!]);
    expect(run.code, run.stderr).toBe(0);
    const names = (run.messages as Message[])
      .find((m) => m.type === 'CATALOG')!
      .catalog.streams.map((s: Message) => s.name as string)
      .filter((n: string) => n.startsWith('ic_reporting_'));
    expect(names.sort()).toEqual(STREAMS.map((s) => `ic_${s}`).sort());
    // The configured catalog names the prefixed streams; the read maps them back to their datasets.
    const catalog = airbyteCatalog(['reporting_conversation'], 'full_refresh');
    for (const entry of catalog.streams) entry.stream.name = `ic_${entry.stream.name}`;
    const read = writeJsonFiles({ config: defaults({ stream_prefix: 'ic_' }), catalog });
    const result = await runCli(BIN.airbyte, ['read', '--config', read.config!, '--catalog', read.catalog!], {
      env: ENV,
      timeoutMs: 120_000,
    });
    expect(result.code, result.stderr).toBe(0);
    const records = (result.messages as Message[]).filter((m) => m.type === 'RECORD');
    expect(new Set(records.map((m) => m.record.stream))).toEqual(new Set(['ic_reporting_conversation']));
    const got = new Map(records.map((m) => [m.record.data._row_id as string, m.record.data as Row]));
    expect(got).toEqual(expectedRows('conversation'));
    expect(ex.activeJobs()).toEqual([]);
  });

  it('a token without the reporting permission discovers no reporting stream, says why, and discover succeeds', async () => {
    fake.setFaults([{ route: 'GET /export/reporting_data/get_datasets', kind: 'status', status: 403, times: -1 }]);
    const files = writeJsonFiles({ config: defaults() });
    const run = await runCli(BIN.airbyte, ['discover', '--config', files.config!]);
    expect(run.code, run.stderr).toBe(0);
    const names = (run.messages as Message[])
      .find((m) => m.type === 'CATALOG')!
      .catalog.streams.map((s: Message) => s.name as string);
    expect(names).toContain('contacts');
    expect(names.some((n: string) => n.startsWith('reporting_'))).toBe(false);
    const logs = (run.messages as Message[]).filter((m) => m.type === 'LOG').map((m) => m.log.message as string);
    expect(logs.some((l) => /No reporting streams/.test(l) && /Read reporting datasets/.test(l))).toBe(true);
  });

  it('[] means none: discover makes no reporting call and offers no reporting stream', async () => {
    fake.resetStats();
    const files = writeJsonFiles({ config: configOf({ reporting_datasets: [] }) });
    const run = await runCli(BIN.airbyte, ['discover', '--config', files.config!]);
    expect(run.code, run.stderr).toBe(0);
    const names = (run.messages as Message[])
      .find((m) => m.type === 'CATALOG')!
      .catalog.streams.map((s: Message) => s.name as string);
    expect(names.some((n: string) => n.startsWith('reporting_'))).toBe(false);
    expect(fake.stats.byRoute['GET /export/reporting_data/get_datasets']).toBeUndefined();
  });
});

describe('full and incremental reads (Airbyte)', () => {
  it("deliver exactly the fake's rows, typed, and leave no job pending", async () => {
    const run = await airbyteRead({ mode: 'full_refresh' });
    expect(run.code, run.stderr).toBe(0);
    for (const stream of STREAMS) {
      expect(statusOf(run, stream)).toBe('COMPLETE');
      expectExactly([run], stream);
    }
    expect(ex.activeJobs()).toEqual([]);
  });

  it('an incremental read after changes delivers the new and changed rows (lookback), and the union is exact', async () => {
    const first = await airbyteRead();
    expect(first.code, first.stderr).toBe(0);
    const rows = ex.rows.get('conversation')!;
    // A row whose metrics changed two days after it started, and a new conversation.
    const changed = rows.find((r) => timeOf(r.conversation_started_at!) > fake.now() - 3 * DAY)!;
    changed.csat_rating = '1.0';
    changed.subject = 'changed, later — "rated"';
    rows.push({
      ...changed,
      conversation_id: '79999999',
      conversation_started_at: new Date((fake.now() - 60) * 1000).toISOString(),
      csat_rating: '',
    });
    const enqueuesBefore = ex.enqueues.length;
    const second = await airbyteRead({ state: lastStates(first) });
    expect(second.code, second.stderr).toBe(0);
    const ids = recordsOf(second, 'reporting_conversation').map((r) => r._row_id);
    expect(ids).toContain(changed.conversation_id);
    expect(ids).toContain('79999999');
    // Only the lookback (7 days) and what came after were exported again, not the 31 days.
    expect(ids.length).toBeLessThan(ex.rows.get('conversation')!.length / 2);
    const secondWindows = ex.enqueues.slice(enqueuesBefore).filter((e) => e.datasetId === 'conversation');
    expect(Math.min(...secondWindows.map((e) => e.start))).toBeGreaterThanOrEqual(fake.now() - 8 * DAY - 120);
    for (const stream of STREAMS) expectExactly([first, second], stream);
    expect(ex.activeJobs()).toEqual([]);
  });
});

describe('Singer tap', () => {
  it('discovers every offered dataset (the default) and syncs exactly the rows, with bookmarks', async () => {
    const { reporting_datasets: _named, ...defaults } = configOf();
    const files = writeJsonFiles({ config: defaults });
    const discovered = await runCli(BIN.tap, ['--config', files.config!, '--discover']);
    expect(discovered.code, discovered.stderr).toBe(0);
    const catalog = JSON.parse(discovered.stdout) as {
      streams: { tap_stream_id: string; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[];
    };
    for (const s of catalog.streams)
      s.metadata.find((m) => m.breadcrumb.length === 0)!.metadata.selected = STREAMS.includes(s.tap_stream_id);
    const { catalog: catalogPath } = writeJsonFiles({ catalog });
    const run = await runCli(BIN.tap, ['--config', files.config!, '--catalog', catalogPath!], {
      env: ENV,
      timeoutMs: 120_000,
    });
    expect(run.code, run.stderr).toBe(0);
    for (const line of run.lines) assertSingerMessage(line);
    for (const stream of STREAMS) expectExactly([run], stream);
    const bookmarks = (run.messages as Message[]).filter((m) => m.type === 'STATE').at(-1)!.value.bookmarks;
    expect(typeof bookmarks.reporting_conversation._time).toBe('number');
    expect(ex.activeJobs()).toEqual([]);
  });
});

describe('kill -9 and resume', () => {
  async function killAndResume(
    killWhen: (m: Message) => boolean,
    beforeResume = (): void => {},
  ): Promise<{ killed: CliRun; resumed: CliRun }> {
    let killedAt = false;
    // Polls every second at most, so that a job needing many polls still finishes quickly.
    const config = { reporting_poll_max_seconds: 1 };
    const killed = await airbyteRead({
      streams: ['reporting_conversation'],
      config,
      onLine: (line, child) => {
        if (killedAt) return;
        const m = JSON.parse(line) as Message;
        if (killWhen(m)) {
          killedAt = true;
          child.kill('SIGKILL');
        }
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    beforeResume();
    const resumed = await airbyteRead({ streams: ['reporting_conversation'], state: lastStates(killed), config });
    expect(resumed.code, resumed.stderr).toBe(0);
    return { killed, resumed };
  }

  it('while a job is polled: the resumed run polls the same job (no second enqueue of that window) and nothing is lost', async () => {
    ex.pollsToComplete = 12;
    const before = ex.enqueues.length;
    let pendingWindow: { start_time: number } | undefined;
    const { killed, resumed } = await killAndResume(
      (m) => {
        const job = m.type === 'STATE' ? m.state.stream.stream_state.pending_job : undefined;
        if (job) pendingWindow = job;
        return !!job;
        // The killed run's job is still in progress; the windows after it need not be slow.
      },
      () => (ex.pollsToComplete = 3),
    );
    expect(pendingWindow).toBeDefined();
    const enqueuesOfWindow = ex.enqueues
      .slice(before)
      .filter((e) => e.datasetId === 'conversation' && e.start === pendingWindow!.start_time && e.accepted);
    expect(enqueuesOfWindow).toHaveLength(1);
    expectExactly([killed, resumed], 'reporting_conversation');
    expect(ex.activeJobs()).toEqual([]);
  }, 180_000);

  it('while a file is downloaded: the resumed run takes the window again from its job; nothing is lost', async () => {
    const { killed, resumed } = await killAndResume((m) => m.type === 'RECORD');
    expect(recordsOf(killed, 'reporting_conversation').length).toBeGreaterThan(0);
    expectExactly([killed, resumed], 'reporting_conversation');
    expect(ex.activeJobs()).toEqual([]);
  }, 180_000);
});

describe('limits and failures', () => {
  it('waits while other apps hold the 5 pending export jobs, then reads everything', async () => {
    ex.foreignPending = 5;
    ex.releaseForeignAfter429s = 1;
    const before = ex.enqueues.length;
    const run = await airbyteRead({ streams: ['reporting_conversation_actions'], mode: 'full_refresh' });
    expect(run.code, run.stderr).toBe(0);
    expect(ex.enqueues.slice(before).some((e) => !e.accepted)).toBe(true);
    expect(fake.stats.byStatus['429']).toBeGreaterThan(0);
    expectExactly([run], 'reporting_conversation_actions');
    expect(ex.maxActive).toBeLessThanOrEqual(5);
  }, 120_000);

  it('honours the limit with two syncs at once: both complete exactly, never more than 5 jobs pending', async () => {
    ex.foreignPending = 4;
    ex.releaseForeignAfter429s = 2;
    const before = ex.enqueues.length;
    const [a, b] = await Promise.all([airbyteRead({ mode: 'full_refresh' }), airbyteRead({ mode: 'full_refresh' })]);
    for (const run of [a!, b!]) {
      expect(run.code, run.stderr).toBe(0);
      for (const stream of STREAMS) expectExactly([run], stream);
    }
    expect(
      ex.enqueues.slice(before).some((e) => !e.accepted),
      'the limit was reached',
    ).toBe(true);
    expect(ex.maxActive).toBeLessThanOrEqual(5);
    expect(ex.activeJobs()).toEqual([]);
  }, 180_000);

  it('a job that fails twice ends only its stream INCOMPLETE, naming the window; the next run resumes there', async () => {
    ex.failNextJobs = 2;
    const run = await airbyteRead({ streams: ['reporting_conversation'] });
    expect(run.code).toBe(1);
    expect(statusOf(run, 'reporting_conversation')).toBe('INCOMPLETE');
    const message = errorsOf(run)
      .map((e) => e.message)
      .join('\n');
    expect(message).toMatch(
      /dataset conversation, window \d{4}-\d\d-\d\dT[^ ]+\.\.\d{4}-\d\d-\d\dT[^ ]+, failed twice/,
    );
    const resumed = await airbyteRead({ streams: ['reporting_conversation'], state: lastStates(run) });
    expect(resumed.code, resumed.stderr).toBe(0);
    expectExactly([run, resumed], 'reporting_conversation');
  }, 120_000);

  it('a missing permission fails only the reporting stream, naming it', async () => {
    fake.setFaults([{ route: 'GET /export/reporting_data/get_datasets', kind: 'status', status: 403, times: -1 }]);
    const files = writeJsonFiles({
      config: configOf(),
      catalog: {
        streams: [
          ...airbyteCatalog(['reporting_conversation'], 'full_refresh').streams,
          {
            stream: { name: 'ticket_states', json_schema: {}, supported_sync_modes: ['full_refresh'] },
            sync_mode: 'full_refresh',
            destination_sync_mode: 'overwrite',
          },
        ],
      },
    });
    const run = await runCli(BIN.airbyte, ['read', '--config', files.config!, '--catalog', files.catalog!], {
      env: ENV,
    });
    expect(run.code).toBe(1);
    expect(statusOf(run, 'reporting_conversation')).toBe('INCOMPLETE');
    expect(statusOf(run, 'ticket_states')).toBe('COMPLETE');
    expect(
      errorsOf(run).some((e) => e.failure_type === 'config_error' && /Read reporting datasets/.test(e.message)),
    ).toBe(true);
  });
});
