import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { BIN, type CliRun, runCli, tempDir, writeJsonFiles } from '../helpers/run-cli.js';
import { keysOf, sorted } from './keys.js';

/**
 * --state-file: however a run ends (kill -9 at any point, SIGTERM, a 401, one stream's 403), the
 * next run started with the same command line resumes from the file, and the union of the
 * records of both runs is exactly the server's.
 */
const TOKEN = 'e2e-state-file-token-5c4d3e2f1a';
const STREAMS = ['contacts', 'contact_tag', 'conversations', 'conversation_parts', 'tickets', 'ticket_parts'];

let fake: FakeIntercom;
let config: string;
const truth = (): Record<string, string[]> => fake.groundTruth() as unknown as Record<string, string[]>;

const airbyteCatalog = {
  streams: STREAMS.map((name) => ({
    stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
    sync_mode: 'incremental',
    destination_sync_mode: 'append_dedup',
  })),
};
const singerCatalog = {
  streams: STREAMS.map((name) => ({
    tap_stream_id: name,
    stream: name,
    schema: {},
    metadata: [{ breadcrumb: [], metadata: { selected: true } }],
  })),
};
let catalogs: Record<string, string>;

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 91,
    token: TOKEN,
    size: { contacts: 150, companies: 4, conversations: 40, tickets: 12, largeConversations: 0, largeTickets: 0 },
    latencyMs: 1,
  });
  ({ config } = writeJsonFiles({
    config: {
      access_token: TOKEN,
      base_url: fake.url,
      slice_days: 30,
      start_date: new Date(Date.now() - 400 * 86_400_000).toISOString().slice(0, 10),
      checkpoint_every_records: 1,
      max_concurrency: 2,
      request_timeout_seconds: 120,
    },
  }));
  catalogs = writeJsonFiles({ airbyte: airbyteCatalog, singer: singerCatalog });
});
afterAll(async () => {
  await fake.close();
});

type Protocol = 'airbyte' | 'singer';
const argsFor = (protocol: Protocol, stateFile: string): [string, string[]] =>
  protocol === 'airbyte'
    ? [BIN.airbyte, ['read', '--config', config, '--catalog', catalogs.airbyte!, '--state-file', stateFile]]
    : [BIN.tap, ['--config', config, '--catalog', catalogs.singer!, '--state-file', stateFile]];

/**
 * What a killed run delivered: every complete line it wrote (the pipe keeps them for the reader
 * after the writer dies), not only those the test had read when it sent the kill.
 */
const delivered = (run: CliRun): CliRun => ({ ...run, messages: run.messages.filter((m) => !('__unparsable' in m)) });

function expectUnionComplete(runs: CliRun[]): void {
  for (const stream of STREAMS) expect(sorted(new Set(keysOf(runs, stream))), stream).toEqual(sorted(truth()[stream]!));
}

/** The state the file holds, per stream, whatever the protocol's shape. */
function fileStates(path: string, protocol: Protocol): Record<string, unknown> {
  const content = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (protocol === 'singer') return (content as { bookmarks: Record<string, unknown> }).bookmarks;
  return Object.fromEntries(
    (content as { stream: { stream_descriptor: { name: string }; stream_state: unknown } }[]).map((s) => [
      s.stream.stream_descriptor.name,
      s.stream.stream_state,
    ]),
  );
}

/** The last STATE each stream received on stdout (what the file must equal after a clean stop). */
function lastStdoutStates(run: CliRun, protocol: Protocol): Record<string, unknown> {
  const states: Record<string, unknown> = {};
  for (const m of run.messages) {
    if (m.type !== 'STATE') continue;
    if (protocol === 'singer') Object.assign(states, (m.value as { bookmarks: Record<string, unknown> }).bookmarks);
    else {
      const s = (m.state as { stream: { stream_descriptor: { name: string }; stream_state: unknown } }).stream;
      states[s.stream_descriptor.name] = s.stream_state;
    }
  }
  return states;
}

let reference: CliRun;

describe('a clean run', () => {
  it.each(['airbyte', 'singer'] as const)(
    '%s: writes the last STATE of every stream; the next run reads nothing twice but the lookback',
    async (protocol) => {
      const file = join(tempDir(), 'state.json');
      const [bin, args] = argsFor(protocol, file);
      const first = await runCli(bin, args);
      expect(first.code, first.stderr).toBe(0);
      if (protocol === 'airbyte') reference = first;
      expectUnionComplete([first]);
      expect(fileStates(file, protocol)).toEqual(lastStdoutStates(first, protocol));
      expect(Object.keys(fileStates(file, protocol)).sort()).toEqual([...STREAMS].sort());
      expect(readdirTemp(file)).toEqual([]);
      const second = await runCli(bin, args);
      expect(second.code, second.stderr).toBe(0);
      // Resumed: far fewer contacts than a full read (only the cursor's lookback window comes again).
      expect(keysOf(second, 'contacts').length).toBeLessThan(keysOf(first, 'contacts').length / 2);
    },
  );
});

/** Temporary files left next to the state file (none after a finished write). */
function readdirTemp(file: string): string[] {
  return readdirSync(join(file, '..')).filter((f) => f.endsWith('.tmp'));
}

/** Deterministic points in (0, n): a small LCG, reproducible. */
function seededPoints(n: number, count: number, seed: number): number[] {
  let x = seed;
  const points: number[] = [];
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    points.push(1 + (x % Math.max(1, n - 1)));
  }
  return points.sort((a, b) => a - b);
}

describe('kill -9, then the same command line again', () => {
  const cases: [Protocol, number][] = [
    ...seededPoints(1000, 4, 7).map((p): [Protocol, number] => ['airbyte', p]),
    ...seededPoints(1000, 2, 11).map((p): [Protocol, number] => ['singer', p]),
  ];
  it.each(cases)(
    '%s killed at %i per mille of the output: the second run resumes from the file, nothing lost',
    async (protocol, perMille) => {
      expect(reference, 'the clean airbyte run went first').toBeDefined();
      const killAt = Math.max(2, Math.floor((perMille / 1000) * reference.lines.length));
      const file = join(tempDir(), 'state.json');
      const [bin, args] = argsFor(protocol, file);
      let seen = 0;
      const first = await runCli(bin, args, {
        onLine: (_line, child) => {
          if (++seen === killAt) child.kill('SIGKILL');
        },
      });
      expect(first.signal).toBe('SIGKILL');
      const second = await runCli(bin, args);
      expect(second.code, second.stderr).toBe(0);
      expectUnionComplete([delivered(first), second]);
      // The file written before the kill was read: it names streams the first run checkpointed.
      const resumedAt = lastStdoutStates(delivered(first), protocol);
      if (Object.keys(resumedAt).length > 0)
        expect(keysOf(second, 'contacts').length + keysOf(second, 'conversations').length).toBeLessThan(
          truth().contacts!.length + truth().conversations!.length,
        );
    },
  );
});

describe('a run that ends badly leaves its progress in the file', () => {
  it.each(['airbyte', 'singer'] as const)('%s: SIGTERM while a request hangs', async (protocol) => {
    const file = join(tempDir(), 'state.json');
    const [bin, args] = argsFor(protocol, file);
    fake.setFaults([{ route: 'POST /contacts/search', kind: 'hang', after: 3, times: -1 }]);
    let states = 0;
    const first = await runCli(bin, args, {
      onLine: (line, child) => {
        if (/^\{"type":"STATE"/.test(line) && ++states === 1) setTimeout(() => child.kill('SIGTERM'), 300);
      },
      timeoutMs: 30_000,
    });
    fake.setFaults([]);
    expect(first.code).not.toBe(0);
    expect(first.signal).toBeNull();
    expect(fileStates(file, protocol)).toEqual(lastStdoutStates(first, protocol));
    const second = await runCli(bin, args);
    expect(second.code, second.stderr).toBe(0);
    expectUnionComplete([first, second]);
  });

  it.each(['airbyte', 'singer'] as const)('%s: a 401 in the middle of the run', async (protocol) => {
    const file = join(tempDir(), 'state.json');
    const [bin, args] = argsFor(protocol, file);
    fake.setFaults([{ route: 'POST /contacts/search', kind: 'status', status: 401, after: 6, times: -1 }]);
    const first = await runCli(bin, args);
    fake.setFaults([]);
    expect(first.code).toBe(1);
    const saved = fileStates(file, protocol);
    expect(saved).toEqual(lastStdoutStates(first, protocol));
    expect(saved.contacts, 'contacts checkpointed before the 401').toBeDefined();
    const second = await runCli(bin, args);
    expect(second.code, second.stderr).toBe(0);
    expectUnionComplete([first, second]);
    expect(keysOf(second, 'contacts').length).toBeLessThan(truth().contacts!.length);
  });

  it.each(['airbyte', 'singer'] as const)(
    '%s: a 403 on one stream, the others finish and are saved',
    async (protocol) => {
      const file = join(tempDir(), 'state.json');
      const [bin, args] = argsFor(protocol, file);
      fake.setFaults([{ route: 'POST /tickets/search', kind: 'status', status: 403, times: -1 }]);
      const first = await runCli(bin, args);
      fake.setFaults([]);
      expect(first.code).toBe(1);
      const saved = fileStates(file, protocol);
      expect(saved).toEqual(lastStdoutStates(first, protocol));
      for (const stream of ['contacts', 'conversations']) expect(saved[stream], stream).toBeDefined();
      expect(keysOf(first, 'tickets')).toEqual([]);
      const second = await runCli(bin, args);
      expect(second.code, second.stderr).toBe(0);
      expectUnionComplete([first, second]);
      // The streams that finished are not read again (beyond the lookback); tickets are, in full.
      expect(keysOf(second, 'contacts').length).toBeLessThan(keysOf(first, 'contacts').length / 2);
      expect(sorted(keysOf(second, 'tickets'))).toEqual(sorted(truth().tickets!));
    },
  );
});

describe('--state and --state-file together', () => {
  it('--state seeds a run whose state file does not exist; once it exists, the file wins with a warning', async () => {
    expect(reference).toBeDefined();
    const seed = writeJsonFiles({ state: lastStdoutStatesArray(reference) });
    const file = join(tempDir(), 'state.json');
    const args = [
      'read',
      '--config',
      config,
      '--catalog',
      catalogs.airbyte!,
      '--state',
      seed.state!,
      '--state-file',
      file,
    ];
    const seeded = await runCli(BIN.airbyte, args);
    expect(seeded.code, seeded.stderr).toBe(0);
    expect(keysOf(seeded, 'contacts').length).toBeLessThan(truth().contacts!.length / 2);
    expect(JSON.stringify(seeded.messages)).not.toContain('is ignored');
    const again = await runCli(BIN.airbyte, args);
    expect(again.code, again.stderr).toBe(0);
    const logs = again.messages.filter((m) => m.type === 'LOG').map((m) => (m.log as { message: string }).message);
    expect(logs.some((l) => l.includes(`--state ${seed.state!} is ignored: the state file ${file} exists`))).toBe(true);
  });

  it('a state file that cannot be written stops the run before any request, naming the file', async () => {
    const file = join(tempDir(), 'no-such-dir', 'state.json');
    const run = await runCli(BIN.airbyte, [
      'read',
      '--config',
      config,
      '--catalog',
      catalogs.airbyte!,
      '--state-file',
      file,
    ]);
    expect(run.code).toBe(1);
    expect(run.messages.some((m) => m.type === 'RECORD')).toBe(false);
    expect(run.stdout).toContain(`Cannot write the state file '${file}'`);
  });
});

function lastStdoutStatesArray(run: CliRun): unknown[] {
  return Object.entries(lastStdoutStates(run, 'airbyte')).map(([name, state]) => ({
    type: 'STREAM',
    stream: { stream_descriptor: { name }, stream_state: state },
  }));
}
