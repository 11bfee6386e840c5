import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { BIN, type CliRun, lastStates, recordsOf, runCli, writeJsonFiles } from '../helpers/run-cli.js';
import { keysOf, sorted } from './keys.js';

/**
 * Readers run side by side, so their RECORD and STATE lines interleave. SIGKILL the source while
 * several readers are mid-walk (contacts, companies scroll, conversations with parts, events per
 * contact), resume from the last STATE the orchestrator received: the union of both runs is
 * exactly the server's records, each run alone delivers a key at most once, and every STATE of a
 * stream counts exactly the records of that stream emitted before it. Both protocols.
 */
const TOKEN = 'e2e-concurrent-token-3c9a1f';
const PARENTS = ['contacts', 'companies', 'conversations', 'events'];
const STREAMS = [...PARENTS, 'contact_tag', 'company_tag', 'conversation_parts', 'admins', 'tags'];
const FULL_REFRESH = new Set(['admins', 'tags']);
/** Kill points: after this share of the reference run's RECORD lines. */
const KILL_AT = [0.15, 0.4, 0.65, 0.85];

let fake: FakeIntercom;
let config: Record<string, unknown>;
let truth: Record<string, string[]>;

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 91,
    token: TOKEN,
    size: {
      contacts: 240,
      companies: 60,
      conversations: 40,
      tickets: 0,
      eventsPerContact: 1,
      largeConversations: 0,
      largeTickets: 0,
    },
    // Every request waits a little, so the readers' walks overlap in time as they do against Intercom.
    latencyMs: 3,
    // A short scroll page makes the companies walk a chain of 12 requests; a kill mid-scroll leaves it open.
    scrollPageSize: 5,
    scrollIdleSeconds: 2,
  });
  config = {
    access_token: TOKEN,
    base_url: fake.url,
    slice_days: 60,
    checkpoint_every_records: 1,
    max_concurrency: 4,
    scroll_busy_wait_seconds: 1,
  };
  truth = fake.groundTruth() as unknown as Record<string, string[]>;
  // An event's id is the connector's hash of it: the server's events are told by who, what and when.
  truth.events = sorted(
    truth.contacts!.flatMap((id) => fake.workspace.listableEvents(fake.workspace.contactById.get(id)!).map(eventKey)),
  );
});

function eventKey(event: Record<string, unknown>): string {
  return `${String(event.intercom_user_id ?? event.user_id ?? event.email)}|${String(event.event_name)}|${String(event.created_at)}`;
}

/** The keys a run delivered for a stream (events: who, what and when; see above). */
function keysFor(runs: CliRun | CliRun[], stream: string): string[] {
  if (stream !== 'events') return keysOf(runs, stream);
  return (Array.isArray(runs) ? runs : [runs]).flatMap((run) => recordsOf(run, 'events').map(eventKey));
}
afterAll(async () => {
  await fake.close();
});

/** Per stream: each STATE's record count equals the stream's RECORD lines since its previous STATE. */
function expectStatesCountTheirOwnRecords(run: CliRun): void {
  const sinceState = new Map<string, number>();
  for (const m of run.messages) {
    if (m.type === 'RECORD') {
      const stream = (m.record as { stream: string }).stream;
      sinceState.set(stream, (sinceState.get(stream) ?? 0) + 1);
    } else if (m.type === 'STATE') {
      const state = m.state as {
        stream: { stream_descriptor: { name: string } };
        sourceStats?: { recordCount: number };
      };
      const stream = state.stream.stream_descriptor.name;
      expect(state.sourceStats?.recordCount, `STATE of ${stream}`).toBe(sinceState.get(stream) ?? 0);
      sinceState.set(stream, 0);
    }
  }
}

function expectNoKeyTwice(run: CliRun, label: string): void {
  for (const stream of STREAMS) {
    const keys = keysFor(run, stream);
    expect(new Set(keys).size, `${label}: ${stream} delivered a key twice`).toBe(keys.length);
  }
}

function expectEverything(runs: CliRun[]): void {
  for (const stream of STREAMS) expect(sorted(new Set(keysFor(runs, stream))), stream).toEqual(truth[stream]);
}

/** The parent streams STARTED but not COMPLETE in these messages (Airbyte status traces). */
function midWalk(messages: Record<string, unknown>[]): string[] {
  const started = new Set<string>();
  for (const m of messages) {
    const status = (m.trace as { stream_status?: { stream_descriptor: { name: string }; status: string } } | undefined)
      ?.stream_status;
    if (!status || !PARENTS.includes(status.stream_descriptor.name)) continue;
    if (status.status === 'STARTED') started.add(status.stream_descriptor.name);
    if (status.status === 'COMPLETE') started.delete(status.stream_descriptor.name);
  }
  return [...started];
}

/** Runs the CLI, killed with SIGKILL after `killAfterRecords` RECORD lines; returns the complete lines received. */
async function killedRun(bin: string, args: string[], killAfterRecords: number): Promise<CliRun> {
  let records = 0;
  let lines = 0;
  let killedAt = Number.POSITIVE_INFINITY;
  const run = await runCli(bin, args, {
    onLine: (line, child) => {
      lines++;
      if (line.startsWith('{"type":"RECORD"') && ++records === killAfterRecords) {
        killedAt = lines;
        child.kill('SIGKILL');
      }
    },
  });
  expect(run.signal, 'the run was killed before it ended').toBe('SIGKILL');
  return { ...run, messages: run.messages.filter((m) => !('__unparsable' in m)).slice(0, killedAt) };
}

describe('Airbyte read with readers side by side, killed mid-walk and resumed', () => {
  let files: Record<string, string>;
  let reference: CliRun;

  beforeAll(async () => {
    files = writeJsonFiles({
      config,
      catalog: {
        streams: STREAMS.map((name) => ({
          stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
          sync_mode: FULL_REFRESH.has(name) ? 'full_refresh' : 'incremental',
          destination_sync_mode: 'append_dedup',
        })),
      },
    });
    reference = await runCli(BIN.airbyte, ['read', '--config', files.config!, '--catalog', files.catalog!]);
  });

  it("the uninterrupted read: exactly the server's records, readers interleaved, each STATE counting its own stream's records", () => {
    expect(reference.code, reference.stderr).toBe(0);
    expectEverything([reference]);
    expectNoKeyTwice(reference, 'reference');
    expectStatesCountTheirOwnRecords(reference);
    // Interleaved: a company arrives before the last contact and the last event.
    const order = reference.messages.flatMap((m) =>
      m.type === 'RECORD' ? [(m.record as { stream: string }).stream] : [],
    );
    expect(order.indexOf('companies')).toBeLessThan(order.lastIndexOf('events'));
    expect(order.indexOf('conversation_parts')).toBeLessThan(order.lastIndexOf('events'));
  });

  it.each(KILL_AT.map((share) => [share]))(
    'SIGKILL after %f of the records, several readers mid-walk: the resume delivers the rest',
    async (share) => {
      const records = reference.messages.filter((m) => m.type === 'RECORD').length;
      const args = ['read', '--config', files.config!, '--catalog', files.catalog!];
      const first = await killedRun(BIN.airbyte, args, Math.max(1, Math.floor(records * share)));
      expect(midWalk(first.messages).length, `mid-walk: ${midWalk(first.messages).join(', ')}`).toBeGreaterThan(1);
      expectStatesCountTheirOwnRecords(first);
      const resume = writeJsonFiles({ state: lastStates(first) });
      const second = await runCli(BIN.airbyte, [...args, '--state', resume.state!]);
      expect(second.code, second.stderr).toBe(0);
      expectStatesCountTheirOwnRecords(second);
      expectNoKeyTwice(first, 'killed run');
      expectNoKeyTwice(second, 'resumed run');
      expectEverything([first, second]);
    },
  );
});

interface SingerEntry {
  tap_stream_id: string;
  metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[];
}

describe('tap-intercom with readers side by side, killed mid-walk and resumed', () => {
  let files: Record<string, string>;

  beforeAll(async () => {
    const { config: configPath } = writeJsonFiles({ config });
    const discovered = await runCli(BIN.tap, ['--config', configPath!, '--discover']);
    expect(discovered.code, discovered.stderr).toBe(0);
    const catalog = JSON.parse(discovered.stdout) as { streams: SingerEntry[] };
    for (const s of catalog.streams)
      s.metadata.find((m) => m.breadcrumb.length === 0)!.metadata.selected = STREAMS.includes(s.tap_stream_id);
    files = writeJsonFiles({ config, catalog });
  });

  /** Every stream's SCHEMA comes before its first RECORD, though the streams' records interleave. */
  function expectSchemaFirst(run: CliRun): void {
    const schemaSent = new Set<string>();
    for (const m of run.messages) {
      if (m.type === 'SCHEMA') schemaSent.add(m.stream as string);
      if (m.type === 'RECORD') expect(schemaSent.has(m.stream as string), `SCHEMA of ${String(m.stream)}`).toBe(true);
    }
  }

  it.each([[0.3], [0.7]])(
    'SIGKILL after %f of the records: the resume from the last STATE blob delivers the rest',
    async (share) => {
      const args = ['--config', files.config!, '--catalog', files.catalog!];
      const reference = await runCli(BIN.tap, args);
      expect(reference.code, reference.stderr).toBe(0);
      expectSchemaFirst(reference);
      const records = reference.messages.filter((m) => m.type === 'RECORD').length;
      const first = await killedRun(BIN.tap, args, Math.max(1, Math.floor(records * share)));
      expectSchemaFirst(first);
      const last = first.messages.filter((m) => m.type === 'STATE').at(-1);
      expect(last, 'a STATE before the kill').toBeDefined();
      const resume = writeJsonFiles({ state: last!.value });
      const second = await runCli(BIN.tap, [...args, '--state', resume.state!]);
      expect(second.code, second.stderr).toBe(0);
      expectSchemaFirst(second);
      expectNoKeyTwice(first, 'killed run');
      expectNoKeyTwice(second, 'resumed run');
      expectEverything([first, second]);
    },
  );
});
