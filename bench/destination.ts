/**
 * Destination benchmark: `intercom-connector write` (the built CLI, as a process) against the fake
 * Intercom with latency and a rate budget. Reports records/s written, requests/s, and the fraction
 * of the rate budget used.
 *
 *   npm run build && node dist/bench/destination.js [--records 300] [--latency-ms 40] [--rate-per-10s 500] [--concurrency 8]
 *
 * Each record set mixes three writers: new contacts (upsert: a search and a create, so 2 requests),
 * events (1 request) and companies (1 request), with a STATE every 50 records.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeIntercom } from '../src/fake-intercom/index.js';

const CLI = fileURLToPath(new URL('../bin/intercom-connector.js', import.meta.url));
const TOKEN = 'bench-destination-token-1234567890';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

interface Scenario {
  name: string;
  recordsPerKind: number;
  latencyMs: number;
  jitterMs: number;
  ratePer10s: number;
  concurrency: number;
}

interface Result {
  scenario: Scenario;
  records: number;
  requests: number;
  seconds: number;
  recordsPerSecond: number;
  requestsPerSecond: number;
  rateLimited: number;
  budgetUsed?: number;
  busiestWindow?: number;
  statesEchoed: number;
  exitCode: number | null;
}

function inputLines(perKind: number): string[] {
  const lines: string[] = [];
  const record = (stream: string, data: Record<string, unknown>): string =>
    JSON.stringify({ type: 'RECORD', record: { stream, data, emitted_at: 0 } });
  let sinceState = 0;
  for (let i = 0; i < perKind; i++) {
    lines.push(
      record('contacts', {
        external_id: `bench-${i}`,
        email: `bench${i}@example.com`,
        name: `Bench ${i}`,
        custom_attributes: { plan: 'pro' },
      }),
    );
    // The event names the contact just created: it waits for it (same identifier), as it must.
    lines.push(
      record('events', { event_name: 'bench-event', created_at: 1_700_000_000 + i, email: `bench${i}@example.com` }),
    );
    lines.push(record('companies', { company_id: `bench-co-${i}`, name: `Bench Co ${i}`, monthly_spend: i }));
    sinceState += 3;
    if (sinceState >= 50) {
      lines.push(
        JSON.stringify({
          type: 'STATE',
          state: { type: 'STREAM', stream: { stream_descriptor: { name: 'contacts' }, stream_state: { i } } },
        }),
      );
      sinceState = 0;
    }
  }
  return lines;
}

/** Runs `intercom-connector write` on `lines`; its exit code and how many STATEs it echoed. */
async function write(dir: string, lines: string[]): Promise<{ exitCode: number | null; states: number }> {
  let states = 0;
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [CLI, 'write', '--config', join(dir, 'config.json'), '--catalog', join(dir, 'catalog.json')],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    child.stdout.setEncoding('utf8');
    child.stdout.on(
      'data',
      (chunk: string) => (states += chunk.split('\n').filter((l) => l.startsWith('{"type":"STATE"')).length),
    );
    child.on('error', reject);
    child.on('close', resolve);
    child.stdin.end(lines.join('\n') + '\n');
  });
  return { exitCode, states };
}

/**
 * Intercom's budget is per wall-clock 10 s window: the windows the run covered entirely (the first
 * and last are partial: the run starts and ends inside them), else every window it touched.
 */
function budgetFigures(
  windows: { start: number; count: number }[],
  ratePer10s: number,
  startedAt: number,
  endedAt: number,
): Pick<Result, 'budgetUsed' | 'busiestWindow'> {
  const full = windows.filter((w) => w.start * 1000 >= startedAt && (w.start + 10) * 1000 <= endedAt);
  const counted = full.length ? full : windows;
  return {
    budgetUsed: counted.reduce((n, w) => n + w.count, 0) / (counted.length * ratePer10s),
    busiestWindow: Math.max(...windows.map((w) => w.count)) / ratePer10s,
  };
}

/** The config and catalog files of a run against `url`. */
function writeInputs(dir: string, url: string, concurrency: number): void {
  const config = {
    access_token: TOKEN,
    base_url: url,
    max_concurrency: concurrency,
    dead_letter_path: join(dir, 'dead.jsonl'),
    ledger_path: join(dir, 'ledger.jsonl'),
  };
  const streams = ['contacts', 'events', 'companies'].map((name) => ({
    stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] },
    sync_mode: 'full_refresh',
    destination_sync_mode: 'append_dedup',
  }));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify({ streams }));
}

async function run(scenario: Scenario): Promise<Result> {
  const fake = await startFakeIntercom({
    seed: 7,
    token: TOKEN,
    size: { contacts: 50, companies: 10, conversations: 5, tickets: 2 },
    latencyMs: scenario.latencyMs,
    jitterMs: scenario.jitterMs,
    ratePer10s: scenario.ratePer10s,
    indexLagSeconds: 60,
  });
  const dir = mkdtempSync(join(tmpdir(), 'ic-bench-dest-'));
  writeInputs(dir, fake.url, scenario.concurrency);
  const lines = inputLines(scenario.recordsPerKind);
  const startedAt = Date.now();
  const { exitCode, states } = await write(dir, lines);
  const seconds = (Date.now() - startedAt) / 1000;
  const records = scenario.recordsPerKind * 3;
  const requests = fake.stats.totalRequests;
  const result: Result = {
    scenario,
    records,
    requests,
    seconds,
    recordsPerSecond: records / seconds,
    requestsPerSecond: requests / seconds,
    rateLimited: fake.stats.rateLimited,
    statesEchoed: states,
    exitCode,
  };
  if (scenario.ratePer10s > 0)
    Object.assign(result, budgetFigures(fake.stats.windows, scenario.ratePer10s, startedAt, Date.now()));
  await fake.close();
  return result;
}

const base = {
  recordsPerKind: flag('records', 300),
  latencyMs: flag('latency-ms', 40),
  jitterMs: 15,
  concurrency: flag('concurrency', 8),
};
const scenarios: Scenario[] = [
  { name: `rate budget ${flag('rate-per-10s', 500)} req/10 s`, ...base, ratePer10s: flag('rate-per-10s', 500) },
  { name: 'no rate budget (latency-bound)', ...base, ratePer10s: 0 },
];

for (const scenario of scenarios) {
  const r = await run(scenario);
  const budget =
    r.budgetUsed === undefined
      ? ''
      : `, budget used ${(r.budgetUsed * 100).toFixed(1)}% of each full 10 s window (busiest ${(r.busiestWindow! * 100).toFixed(0)}%), 429s ${r.rateLimited}`;
  console.log(
    `${scenario.name}: ${r.records} records (${scenario.recordsPerKind} contacts upserted, events, companies) in ${r.seconds.toFixed(1)} s = ${r.recordsPerSecond.toFixed(1)} records/s, ${r.requests} requests = ${r.requestsPerSecond.toFixed(1)} req/s${budget}; latency ${scenario.latencyMs}±${scenario.jitterMs} ms, max_concurrency ${scenario.concurrency}, ${r.statesEchoed} STATEs echoed, exit ${r.exitCode}`,
  );
}
