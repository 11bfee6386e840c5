import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { BIN, runCli, tempDir, writeJsonFiles } from '../helpers/run-cli.js';

/**
 * What a person sees on a terminal: tap-intercom runs under a pseudo-terminal (`script` from
 * util-linux) with stdout redirected to a file, so only stderr reaches the terminal. The bytes are
 * replayed through a small terminal model (carriage return, erase line, cursor up); the screen
 * that remains must hold only whole log and METRIC lines, with no fragment of a progress row.
 */
const TOKEN = 'e2e-terminal-token-5b7d13a9';
const SELECTED = ['admins', 'tags', 'contacts', 'companies', 'conversations', 'conversation_parts'];
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

let fake: FakeIntercom;
let files: Record<string, string>;

/** Replays terminal output: the rows left on screen (scrollback included). */
function screen(bytes: string): string[] {
  const rows: string[][] = [[]];
  let row = 0;
  let col = 0;
  for (let i = 0; i < bytes.length; i++) {
    const ch = bytes[i]!;
    if (ch === '\x1b') {
      const m = /^\x1b\[(\d*)([A-Za-z])/.exec(bytes.slice(i, i + 8));
      if (!m) throw new Error(`unexpected escape sequence at ${i}: ${JSON.stringify(bytes.slice(i, i + 8))}`);
      if (m[2] === 'K' && m[1] === '2') rows[row] = [];
      else if (m[2] === 'A') row = Math.max(0, row - Number(m[1] || 1));
      else throw new Error(`unexpected escape sequence ${JSON.stringify(m[0])}`);
      i += m[0].length - 1;
    } else if (ch === '\r') {
      col = 0;
    } else if (ch === '\n') {
      row++;
      rows[row] ??= [];
    } else {
      rows[row]![col++] = ch;
    }
  }
  return rows.map((r) =>
    Array.from(r, (c) => c ?? ' ')
      .join('')
      .trimEnd(),
  );
}

function selectedCatalog(discovered: string): unknown {
  const catalog = JSON.parse(discovered) as {
    streams: { tap_stream_id: string; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[];
  };
  for (const s of catalog.streams)
    if (SELECTED.includes(s.tap_stream_id)) s.metadata.find((m) => m.breadcrumb.length === 0)!.metadata.selected = true;
  return catalog;
}

beforeAll(async () => {
  // Slow enough (latency, few connections) that the live rows are drawn several times.
  fake = await startFakeIntercom({
    seed: 5,
    token: TOKEN,
    size: { contacts: 300, companies: 60, conversations: 80, tickets: 5 },
    latencyMs: 40,
  });
  const config = { access_token: TOKEN, base_url: fake.url, max_concurrency: 2 };
  const discovered = await runCli(BIN.tap, ['--config', writeJsonFiles({ config }).config!, '--discover']);
  files = writeJsonFiles({
    config,
    bad: { access_token: 'e2e-terminal-wrong-token-00', base_url: fake.url },
    catalog: selectedCatalog(discovered.stdout),
  });
});
afterAll(async () => {
  await fake?.close();
});

describe('tap-intercom on a terminal', () => {
  it('no stderr line carries a fragment of the progress rows, and the rows are gone at the end', async () => {
    expect(hasScript, 'this test needs `script` from util-linux (a pseudo-terminal)').toBe(true);
    const dir = tempDir('ic-tty-');
    const typescript = join(dir, 'tty.txt');
    const command = `${process.execPath} ${BIN.tap} --config ${files.config} --catalog ${files.catalog} > ${join(dir, 'out.jsonl')}`;
    // Asynchronous: the fake Intercom answers from this process.
    const child = spawn('script', ['-qfec', command, typescript], {
      stdio: 'ignore',
      timeout: 90_000,
      env: { ...process.env, COLUMNS: '120', LINES: '40' },
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const raw = readFileSync(typescript, 'utf8')
      .replace(/^Script started[^\n]*\n/, '')
      .replace(/\nScript done[^\n]*\n?$/, '');
    // Not vacuous: live rows were drawn (a row per stream, then erased).
    expect(raw).toMatch(/\w+: \d+ records?, \d+\/s/);
    expect(raw).toContain('\x1b[2K');
    const rows = screen(raw).filter((r) => r !== '');
    expect(rows.length).toBeGreaterThan(10);
    for (const row of rows)
      expect(row, 'every row on screen is one whole log or METRIC line').toMatch(
        /^(INFO|WARNING|ERROR|CRITICAL) \S|^METRIC: \{.*\}$/,
      );
    for (const row of rows.filter((r) => r.startsWith('METRIC: '))) JSON.parse(row.slice(8));
    expect(readFileSync(join(dir, 'out.jsonl'), 'utf8').split('\n').filter(Boolean).length).toBeGreaterThan(300);
  }, 120_000);

  it('METRIC lines go out before the error: the error that ends a run is the last stderr line', async () => {
    const run = await runCli(BIN.tap, ['--config', files.bad!, '--catalog', files.catalog!]);
    expect(run.code).toBe(1);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^CRITICAL Stream admins: Intercom rejected the access token \(401/);
    expect(lines.at(-1)).toMatch(/streams incomplete: admins, tags/);
    expect(lines.some((l) => l.startsWith('METRIC: '))).toBe(true);
    expect(lines.filter((l) => /^ERROR Stream (\w+): Stream \1/.test(l))).toEqual([]);
    expect(lines.filter((l) => /^WARN /.test(l))).toEqual([]);
  });

  it('--quiet writes no request timers; record counts stay', async () => {
    const run = await runCli(BIN.tap, ['--config', files.config!, '--catalog', files.catalog!, '--quiet']);
    expect(run.code, run.stderr).toBe(0);
    const metrics = run.stderr
      .split('\n')
      .filter((l) => l.startsWith('METRIC: '))
      .map((l) => (JSON.parse(l.slice(8)) as { metric: string }).metric);
    expect(metrics.filter((m) => m === 'record_count').length).toBe(SELECTED.length);
    expect(metrics.filter((m) => m === 'http_request_duration')).toEqual([]);
  });

  it('without --quiet, one request timer per stream and outcome instead of one per request', async () => {
    const run = await runCli(BIN.tap, ['--config', files.config!, '--catalog', files.catalog!]);
    const timers = run.stderr
      .split('\n')
      .filter((l) => l.includes('"http_request_duration"'))
      .map((l) => JSON.parse(l.slice(8)) as { tags: { endpoint: string; status: string; requests: number } });
    const requests = timers.reduce((n, t) => n + t.tags.requests, 0);
    expect(requests).toBeGreaterThan(timers.length);
    expect(new Set(timers.map((t) => `${t.tags.endpoint}/${t.tags.status}`)).size).toBe(timers.length);
    expect(run.stderr).toContain(`Sync finished: ${requests} requests`);
  });

  it('--discover prints no line over 4 KiB (Meltano refuses lines over 64 KiB)', async () => {
    const run = await runCli(BIN.tap, ['--config', files.config!, '--discover']);
    expect(run.code).toBe(0);
    const longest = Math.max(...run.stdout.split('\n').map((l) => Buffer.byteLength(l)));
    expect(longest).toBeLessThanOrEqual(4096);
    writeFileSync(join(tempDir(), 'catalog.json'), run.stdout);
    expect(() => JSON.parse(run.stdout) as unknown).not.toThrow();
  });
});
