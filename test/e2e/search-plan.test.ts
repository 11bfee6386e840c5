import { afterEach, describe, expect, it } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { BIN, type CliRun, lastStates, runCli, writeJsonFiles } from '../helpers/run-cli.js';
import { keysOf, sorted } from './keys.js';

// Searches planned from total_count (no slice_days): a small window is one walk that goes on from
// its first page, a large one is cut in slices whose first pages may be the probes' answers. A kill
// in either must lose nothing: STATE only after a window (or a prefix of slices) is complete.
const TOKEN = 'e2e-search-plan-token-52ac';
let fake: FakeIntercom | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const catalog = (streams: string[]): unknown => ({
  streams: streams.map((name) => ({
    stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
    sync_mode: 'incremental',
    destination_sync_mode: 'append_dedup',
  })),
});

const isContactRecord = (line: string): boolean =>
  line.startsWith('{"type":"RECORD"') && line.includes('"stream":"contacts"');

async function killAndResume(
  contacts: number,
  kill: (line: string) => boolean,
): Promise<{ first: CliRun; second: CliRun; streams: string[] }> {
  fake = await startFakeIntercom({
    seed: 52,
    token: TOKEN,
    size: { contacts, companies: 20, conversations: 300, tickets: 2, largeConversations: 0 },
    latencyMs: 2,
  });
  const streams = ['contacts', 'contact_tag', 'conversations'];
  const files = writeJsonFiles({
    config: { access_token: TOKEN, base_url: fake.url, max_concurrency: 4, checkpoint_every_records: 1 },
    catalog: catalog(streams),
  });
  const args = ['read', '--config', files.config!, '--catalog', files.catalog!];
  const first = await runCli(BIN.airbyte, args, {
    onLine: (line, child) => {
      if (kill(line)) child.kill('SIGKILL');
    },
  });
  expect(first.signal).toBe('SIGKILL');
  // Only complete lines count: what the orchestrator had received when the process died.
  const received: CliRun = { ...first, messages: first.messages.filter((m) => !('__unparsable' in m)) };
  const resume = writeJsonFiles({ state: lastStates([received]) });
  const second = await runCli(BIN.airbyte, [...args, '--state', resume.state!]);
  expect(second.code, second.stderr).toBe(0);
  const truth = fake.groundTruth() as unknown as Record<string, string[]>;
  for (const stream of streams)
    expect(sorted(new Set(keysOf([received, second], stream))), stream).toEqual(sorted(truth[stream]!));
  return { first: received, second, streams };
}

const contactStates = (run: CliRun): number =>
  run.messages.filter(
    (m) =>
      m.type === 'STATE' &&
      (m.state as { stream?: { stream_descriptor?: { name?: string } } }).stream?.stream_descriptor?.name ===
        'contacts',
  ).length;

describe('kill and resume with planned searches', () => {
  it('a first sync read as one walk, killed mid-walk: no contacts STATE before the walk ends, the resume covers everything', async () => {
    let seen = 0;
    const { first } = await killAndResume(1000, (line) => isContactRecord(line) && ++seen === 400);
    expect(contactStates(first)).toBe(0);
  });

  it('a first sync cut in slices (more than one walk holds), killed after its second contacts STATE: the union covers everything', async () => {
    let states = 0;
    await killAndResume(
      6500,
      (line) => line.startsWith('{"type":"STATE"') && line.includes('"name":"contacts"') && ++states === 2,
    );
  });
});
