// The content_engagement stream (Content Data Export) through the built CLI, Airbyte and Singer,
// against the fake Intercom: full and incremental reads equal the fake's receipts and clicks
// exactly, in each archive format the docs name; kill -9 while a job is polled and while its
// archive is downloaded, then resume: nothing lost, no job left active; SIGTERM cancels the job;
// the one-active-job limit is waited out, also with two syncs at once.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  CLICK_COLUMNS,
  RECEIPT_COLUMNS,
  contentExportsOf,
  receiptCells,
  type FakeContentExports,
} from '../../src/fake-intercom/content-exports.js';
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

const TOKEN = 'e2e-content-export-token-8d1f3b';
const DAY = 86_400;
const STREAM = 'content_engagement';
const ENV = { INTERCOM_CONNECTOR_EXPORT_POLL_BASE_MS: '5' };

type Message = Record<string, any>;
type Row = Record<string, unknown>;

let fake: FakeIntercom;
let ex: FakeContentExports;
let startDate: string;

/** Cells typed as the docs' data_export_csv types them ('' is null; received_at and first_* integers); clicks' undocumented columns stay text. */
function expectedRows(): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const r of ex.receipts) {
    const cells = receiptCells(r, Number.MAX_SAFE_INTEGER);
    const row: Row = { statistic: 'receipts' };
    for (const c of RECEIPT_COLUMNS)
      row[c] = cells[c] === '' ? null : c === 'received_at' || c.startsWith('first_') ? Number(cells[c]) : cells[c];
    row._row_id = `receipts:${cells.receipt_id}`;
    row._time = r.sentAt;
    out.set(row._row_id as string, row);
  }
  for (const c of ex.clicks) {
    const row: Row = { statistic: 'clicks' };
    for (const col of CLICK_COLUMNS) row[col] = String(c[col]);
    row._row_id = `clicks:${createHash('sha256')
      .update(JSON.stringify(['clicks', ...CLICK_COLUMNS.map((col) => [col, row[col]])]))
      .digest('hex')}`;
    out.set(row._row_id as string, row);
  }
  return out;
}

function delivered(runs: CliRun[]): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const run of runs) for (const record of recordsOf(run, STREAM)) out.set(record._row_id as string, record);
  return out;
}

/** Every row exactly; a click's `_time` is the start of its window of send dates, so only its range is checked. */
function expectExactly(runs: CliRun[]): void {
  const want = expectedRows();
  const got = delivered(runs);
  expect(got.size, 'rows').toBe(want.size);
  for (const [key, row] of want) {
    const actual = { ...got.get(key) };
    if (row.statistic === 'clicks') {
      expect(actual._time, key).toBeLessThanOrEqual(Date.now() / 1000);
      delete actual._time;
    }
    expect(actual, key).toEqual(row);
  }
}

const airbyteCatalog = (mode: 'incremental' | 'full_refresh') => ({
  streams: [
    {
      stream: {
        name: STREAM,
        json_schema: {},
        supported_sync_modes: ['full_refresh', 'incremental'],
        source_defined_cursor: true,
        default_cursor_field: ['_time'],
      },
      sync_mode: mode,
      ...(mode === 'incremental' ? { cursor_field: ['_time'] } : {}),
      destination_sync_mode: mode === 'incremental' ? 'append_dedup' : 'overwrite',
      primary_key: [['_row_id']],
    },
  ],
});

const configOf = (extra: Record<string, unknown> = {}) => ({
  access_token: TOKEN,
  base_url: fake.url,
  start_date: startDate,
  engagement_window_days: 90,
  reporting_poll_max_seconds: 1,
  ...extra,
});

async function airbyteRead(
  opts: {
    mode?: 'incremental' | 'full_refresh';
    state?: unknown;
    config?: Record<string, unknown>;
    onLine?: RunOptions['onLine'];
  } = {},
): Promise<CliRun> {
  const files = writeJsonFiles({
    config: configOf(opts.config),
    catalog: airbyteCatalog(opts.mode ?? 'incremental'),
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

const statusOf = (run: CliRun): string | undefined =>
  (run.messages as Message[])
    .filter(
      (m) =>
        m.type === 'TRACE' &&
        m.trace.type === 'STREAM_STATUS' &&
        m.trace.stream_status.stream_descriptor.name === STREAM,
    )
    .at(-1)?.trace.stream_status.status;

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 83,
    token: TOKEN,
    size: { contacts: 2, companies: 1, conversations: 1, tickets: 0, largeConversations: 0, largeTickets: 0 },
  });
  ex = contentExportsOf(fake.workspace);
  // The fake's receipts were sent 3 to 40 days before it started.
  startDate = new Date((fake.now() - 45 * DAY) * 1000).toISOString();
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => {
  ex.pollsToComplete = 3;
  ex.failNextJobs = 0;
  ex.expireNextDownloads = 0;
  ex.foreignActiveFor429s = 0;
  ex.format = 'tar.gz';
  fake.setFaults([]);
});

describe('full and incremental reads (Airbyte)', () => {
  for (const format of ['tar.gz', 'zip', 'gzip-csv'] as const) {
    it(`a full refresh delivers exactly the fake's rows from a ${format} download and leaves no job active`, async () => {
      ex.format = format;
      const clicks = ex.clicks.splice(0);
      try {
        // A single gzip CSV has room for one file only: the receipts.
        if (format !== 'gzip-csv') ex.clicks.push(...clicks);
        const run = await airbyteRead({ mode: 'full_refresh' });
        expect(run.code, run.stderr).toBe(0);
        expect(statusOf(run)).toBe('COMPLETE');
        expectExactly([run]);
      } finally {
        ex.clicks.splice(0, ex.clicks.length, ...clicks);
      }
      expect(ex.activeJobs()).toEqual([]);
    });
  }

  it('an incremental read re-exports the lookback: a late open and a new send arrive, and the union is exact', async () => {
    const first = await airbyteRead();
    expect(first.code, first.stderr).toBe(0);
    const firstEnd = lastStates(first).at(-1) as Message;
    expect(typeof firstEnd.stream.stream_state._time).toBe('number');
    // A receipt sent 4 days ago is opened now (after the first read), and a message is sent now.
    const late = ex.receipts.find((r) => r.sentAt > fake.now() - 5 * DAY && r.engagement.first_open === undefined)!;
    late.engagement.first_open = Math.floor(Date.now() / 1000) - 30;
    const sentAt = Math.floor(Date.now() / 1000) - 20;
    ex.receipts.push({
      cells: { ...late.cells, receipt_id: '99999999', received_at: String(sentAt) },
      sentAt,
      engagement: {},
    });
    const createsBefore = ex.creates.length;
    const second = await airbyteRead({ state: lastStates(first) });
    expect(second.code, second.stderr).toBe(0);
    const ids = recordsOf(second, STREAM).map((r) => r._row_id);
    expect(ids).toContain(`receipts:${late.cells.receipt_id}`);
    expect(ids).toContain('receipts:99999999');
    expect(recordsOf(second, STREAM).find((r) => r._row_id === `receipts:${late.cells.receipt_id}`)!.first_open).toBe(
      late.engagement.first_open,
    );
    // Only the lookback (14 days) was exported again, not the 45 days.
    const created = ex.creates.slice(createsBefore).filter((c) => c.accepted);
    expect(Math.min(...created.map((c) => c.start))).toBeGreaterThanOrEqual(
      firstEnd.stream.stream_state._time - 14 * DAY,
    );
    expect(ids.length).toBeLessThan(ex.receipts.length / 2);
    expectExactly([first, second]);
    expect(ex.activeJobs()).toEqual([]);
  });
});

describe('Singer tap', () => {
  it('syncs exactly the rows with a bookmark', async () => {
    const files = writeJsonFiles({ config: configOf() });
    const discovered = await runCli(BIN.tap, ['--config', files.config!, '--discover']);
    expect(discovered.code, discovered.stderr).toBe(0);
    const catalog = JSON.parse(discovered.stdout) as {
      streams: { tap_stream_id: string; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[];
    };
    expect(catalog.streams.some((s) => s.tap_stream_id === STREAM)).toBe(true);
    for (const s of catalog.streams)
      s.metadata.find((m) => m.breadcrumb.length === 0)!.metadata.selected = s.tap_stream_id === STREAM;
    const { catalog: catalogPath } = writeJsonFiles({ catalog });
    const run = await runCli(BIN.tap, ['--config', files.config!, '--catalog', catalogPath!], {
      env: ENV,
      timeoutMs: 120_000,
    });
    expect(run.code, run.stderr).toBe(0);
    for (const line of run.lines) assertSingerMessage(line);
    expectExactly([run]);
    const bookmarks = (run.messages as Message[]).filter((m) => m.type === 'STATE').at(-1)!.value.bookmarks;
    expect(typeof bookmarks[STREAM]._time).toBe('number');
    expect(ex.activeJobs()).toEqual([]);
  });
});

describe('stops and resumes', () => {
  const pendingStart = (run: CliRun): number => {
    const state = (lastStates(run) as Message[]).find((st) => st.stream.stream_descriptor.name === STREAM)!;
    return state.stream.stream_state.pending_job.start_time as number;
  };
  async function killAndResume(
    killWhen: (m: Message) => boolean,
    beforeResume = (): void => {},
  ): Promise<{ killed: CliRun; resumed: CliRun }> {
    let killedAt = false;
    const killed = await airbyteRead({
      onLine: (line, child) => {
        if (killedAt) return;
        if (killWhen(JSON.parse(line) as Message)) {
          killedAt = true;
          child.kill('SIGKILL');
        }
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    beforeResume();
    const resumed = await airbyteRead({ state: lastStates(killed) });
    expect(resumed.code, resumed.stderr).toBe(0);
    return { killed, resumed };
  }

  it('kill -9 while a job is polled: the resumed run polls the same job (no second job) and nothing is lost', async () => {
    ex.pollsToComplete = 12;
    const before = ex.creates.length;
    const { killed, resumed } = await killAndResume(
      (m) => m.type === 'STATE' && !!m.state.stream.stream_state.pending_job,
      () => (ex.pollsToComplete = 3),
    );
    // One job for the killed window; a later second of sync start may add a short window after it.
    expect(ex.creates.slice(before).filter((c) => c.accepted && c.start === pendingStart(killed))).toHaveLength(1);
    expectExactly([killed, resumed]);
    expect(ex.activeJobs()).toEqual([]);
  }, 180_000);

  it('kill -9 while the archive is downloaded: the resumed run takes the window again from its job; nothing is lost', async () => {
    const before = ex.creates.length;
    const { killed, resumed } = await killAndResume((m) => m.type === 'RECORD');
    expect(recordsOf(killed, STREAM).length).toBeGreaterThan(0);
    expect(ex.creates.slice(before).filter((c) => c.accepted && c.start === pendingStart(killed))).toHaveLength(1);
    expectExactly([killed, resumed]);
    expect(ex.activeJobs()).toEqual([]);
  }, 180_000);

  it('SIGTERM while a job is polled cancels it (POST /export/cancel); the next run exports the window again and is exact', async () => {
    ex.pollsToComplete = 1000;
    let jobId: string | undefined;
    const stopped = await airbyteRead({
      onLine: (line, child) => {
        const m = JSON.parse(line) as Message;
        const job = m.type === 'STATE' ? m.state.stream.stream_state.pending_job : undefined;
        if (job && !jobId) {
          jobId = job.job_identifier;
          child.kill('SIGTERM');
        }
      },
    });
    expect(jobId).toBeDefined();
    expect(stopped.code).not.toBe(0);
    expect(ex.cancels).toContain(jobId);
    expect(ex.jobs.get(jobId!)!.status).toBe('canceled');
    expect(ex.activeJobs()).toEqual([]);
    ex.pollsToComplete = 3;
    const resumed = await airbyteRead({ state: lastStates(stopped) });
    expect(resumed.code, resumed.stderr).toBe(0);
    expectExactly([stopped, resumed]);
  }, 180_000);
});

describe('the one active job per workspace', () => {
  it("waits while another app's job holds the slot (429), without failing", async () => {
    ex.foreignActiveFor429s = 3;
    const before = ex.creates.length;
    const run = await airbyteRead({ mode: 'full_refresh' });
    expect(run.code, run.stderr).toBe(0);
    expect(ex.creates.slice(before).filter((c) => !c.accepted)).toHaveLength(3);
    expectExactly([run]);
  }, 120_000);

  it('two syncs at once: both complete exactly, never two jobs active', async () => {
    // The first sync's job is held in progress until the second sync has met the limit, so the two
    // overlap however slowly the machine starts the second process.
    ex.pollsToComplete = Number.MAX_SAFE_INTEGER;
    ex.maxActive = 0;
    const before = ex.creates.length;
    const until = async (what: string, done: () => boolean): Promise<void> => {
      for (let waited = 0; !done(); waited += 20) {
        if (waited > 60_000) throw new Error(`timed out waiting until ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const first = airbyteRead({ mode: 'full_refresh' });
    await until('the first sync has a job', () => ex.creates.slice(before).some((c) => c.accepted));
    const second = airbyteRead({ mode: 'full_refresh' });
    await until('the second sync met the limit', () => ex.creates.slice(before).some((c) => !c.accepted));
    ex.pollsToComplete = 6;
    const [a, b] = await Promise.all([first, second]);
    for (const run of [a!, b!]) {
      expect(run.code, run.stderr).toBe(0);
      expectExactly([run]);
    }
    expect(
      ex.creates.slice(before).some((c) => !c.accepted),
      'the second sync met the limit',
    ).toBe(true);
    expect(ex.maxActive).toBe(1);
    expect(ex.activeJobs()).toEqual([]);
  }, 180_000);

  it('a job that fails twice ends the stream INCOMPLETE naming the send dates; the next run resumes there', async () => {
    ex.failNextJobs = 2;
    const run = await airbyteRead();
    expect(run.code).toBe(1);
    expect(statusOf(run)).toBe('INCOMPLETE');
    expect(run.stdout).toMatch(/send dates \d{4}-\d\d-\d\dT[^ ]+\.\.\d{4}-\d\d-\d\dT[^ ]+ failed twice/);
    const resumed = await airbyteRead({ state: lastStates(run) });
    expect(resumed.code, resumed.stderr).toBe(0);
    expectExactly([run, resumed]);
  }, 120_000);

  it('an expired download link exports the window again', async () => {
    ex.expireNextDownloads = 1;
    const run = await airbyteRead({ mode: 'full_refresh' });
    expect(run.code, run.stderr).toBe(0);
    expectExactly([run]);
  });
});
