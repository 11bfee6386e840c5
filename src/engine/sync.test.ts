import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseSourceConfig } from '../config/source-config.js';
import type { EngineEvent } from '../core/events.js';
import type { IntercomClient } from '../intercom/client.js';
import { IntercomApiError, unreachableError } from '../intercom/errors.js';
import type { Reader, ReaderItem } from '../streams/types.js';
import { runSync, type SyncResult } from './sync.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const page = (stream: string, ids: string[]): ReaderItem => ({
  kind: 'records',
  stream,
  records: ids.map((id) => ({ id, updated_at: 100 })),
});
const revoked = () =>
  new IntercomApiError({ endpoint: 'GET /x', status: 401, transient: false, message: 'token revoked' });

function reader(name: string, body: () => AsyncGenerator<ReaderItem>, alongside = false): Reader {
  return {
    streams: [{ name, primaryKey: ['id'], cursorField: 'updated_at' }],
    read: body,
    ...(alongside ? { alongside: true } : {}),
  };
}

async function sync(readers: Reader[], signal?: AbortSignal): Promise<{ events: EngineEvent[]; result: SyncResult }> {
  const events: EngineEvent[] = [];
  const config = parseSourceConfig({ access_token: 'test-token-not-secret' }, {});
  const result = await runSync({
    client: {} as unknown as IntercomClient,
    config,
    sink: { emit: (event) => void events.push(event), flush: async () => undefined },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    selected: readers.map((r) => ({ name: r.streams[0]!.name, syncMode: 'incremental' as const })),
    inputState: new Map(),
    readers,
    ...(signal ? { signal } : {}),
  });
  return { events, result };
}

const statusAt = (events: EngineEvent[], stream: string, status: string) =>
  events.findIndex((e) => e.type === 'status' && e.stream === stream && e.status === status);
const idsOf = (events: EngineEvent[], stream: string) =>
  events.flatMap((e) => (e.type === 'record' && e.stream === stream ? [String(e.data.id)] : []));
const statesOf = (events: EngineEvent[], stream: string) =>
  events.flatMap((e) => (e.type === 'state' && e.stream === stream ? [e.state] : []));
const errors = (events: EngineEvent[]) =>
  events.filter((e) => e.type === 'error') as Extract<EngineEvent, { type: 'error' }>[];

/** Runs a sync on vitest's virtual clock: the readers' sleeps and the signal's timer cost no real time. */
async function virtual<T>(running: Promise<T>): Promise<T> {
  await vi.advanceTimersByTimeAsync(1000);
  return running;
}

describe('runSync with a reader that runs alongside (companies scroll)', () => {
  // Ordering comes from the virtual clock (each sleep ends exactly when due), not from the load of the machine.
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts the next readers while it still runs, and delivers every record and state of all of them', async () => {
    const { events, result } = await virtual(
      sync([
        reader(
          'companies',
          async function* () {
            for (let i = 0; i < 3; i++) {
              await sleep(30);
              yield page('companies', [`co${i}a`, `co${i}b`]);
            }
            yield { kind: 'checkpoint', state: { updated_at: 100 } };
          },
          true,
        ),
        reader('conversations', async function* () {
          for (let i = 0; i < 2; i++) {
            await sleep(10);
            yield page('conversations', [`cv${i}`]);
          }
          yield { kind: 'checkpoint', state: { updated_at: 200 } };
        }),
        reader('tickets', async function* () {
          yield page('tickets', ['t0']);
          yield { kind: 'checkpoint', state: { updated_at: 300 } };
        }),
      ]),
    );
    // Overlap: conversations and tickets start (and finish) before the company walk completes.
    expect(statusAt(events, 'conversations', 'STARTED')).toBeLessThan(statusAt(events, 'companies', 'COMPLETE'));
    expect(statusAt(events, 'tickets', 'COMPLETE')).toBeLessThan(statusAt(events, 'companies', 'COMPLETE'));
    expect(idsOf(events, 'companies')).toEqual(['co0a', 'co0b', 'co1a', 'co1b', 'co2a', 'co2b']);
    expect(idsOf(events, 'conversations')).toEqual(['cv0', 'cv1']);
    expect(idsOf(events, 'tickets')).toEqual(['t0']);
    expect(statesOf(events, 'companies')).toEqual([{ updated_at: 100 }]);
    expect(statesOf(events, 'conversations')).toEqual([{ updated_at: 200 }]);
    expect(statesOf(events, 'tickets')).toEqual([{ updated_at: 300 }]);
    expect(result.failedStreams).toEqual([]);
    expect(result.recordCounts.get('companies')).toBe(6);
    expect(errors(events)).toEqual([]);
  });

  it('a revoked token in a later reader stops the walk beside it: its safe state is kept, it ends INCOMPLETE, one error is reported', async () => {
    let ticketsStarted = false;
    let walkStopped = false;
    const { events, result } = await virtual(
      sync([
        reader(
          'companies',
          async function* () {
            yield page('companies', ['co0']);
            yield { kind: 'checkpoint', state: { updated_at: 50 } };
            try {
              for (let i = 1; ; i++) {
                await sleep(10);
                yield page('companies', [`co${i}`]);
              }
            } finally {
              walkStopped = true;
            }
          },
          true,
        ),
        reader('conversations', async function* () {
          await sleep(40);
          throw revoked();
        }),
        reader('tickets', async function* () {
          ticketsStarted = true;
          yield page('tickets', ['t0']);
        }),
      ]),
    );
    expect(ticketsStarted).toBe(false);
    // The walk was waiting on its next page; it is closed as soon as that page arrives.
    await vi.advanceTimersByTimeAsync(40);
    expect(walkStopped).toBe(true);
    expect(statesOf(events, 'companies')).toEqual([{ updated_at: 50 }]);
    expect(statusAt(events, 'companies', 'INCOMPLETE')).toBeGreaterThan(-1);
    expect(statusAt(events, 'companies', 'COMPLETE')).toBe(-1);
    expect(statusAt(events, 'tickets', 'INCOMPLETE')).toBeGreaterThan(-1);
    const reported = errors(events);
    expect(reported).toHaveLength(1);
    expect(reported[0]!.stream).toBe('conversations');
    expect(result.failedStreams.sort()).toEqual(['companies', 'conversations', 'tickets']);
  });

  it('a revoked token in the walk stops the reader running beside it and every later one', async () => {
    let ticketsStarted = false;
    const { events, result } = await virtual(
      sync([
        reader(
          'companies',
          async function* () {
            await sleep(30);
            throw revoked();
          },
          true,
        ),
        reader('conversations', async function* () {
          yield page('conversations', ['cv0']);
          yield { kind: 'checkpoint', state: { updated_at: 70 } };
          for (let i = 1; ; i++) {
            await sleep(10);
            yield page('conversations', [`cv${i}`]);
          }
        }),
        reader('tickets', async function* () {
          ticketsStarted = true;
          yield page('tickets', ['t0']);
        }),
      ]),
    );
    expect(ticketsStarted).toBe(false);
    expect(statesOf(events, 'conversations')).toEqual([{ updated_at: 70 }]);
    expect(statusAt(events, 'conversations', 'INCOMPLETE')).toBeGreaterThan(-1);
    expect(statusAt(events, 'tickets', 'INCOMPLETE')).toBeGreaterThan(-1);
    expect(errors(events).map((e) => e.stream)).toEqual(['companies']);
    expect(result.failedStreams.sort()).toEqual(['companies', 'conversations', 'tickets']);
  });

  it('a signal stops both; each running stream says it was interrupted, the unstarted one ends INCOMPLETE', async () => {
    const controller = new AbortController();
    const forever = (stream: string) =>
      async function* (): AsyncGenerator<ReaderItem> {
        for (let i = 0; ; i++) {
          await sleep(10);
          yield page(stream, [`${stream}${i}`]);
        }
      };
    setTimeout(() => controller.abort('SIGTERM'), 50);
    const { events, result } = await virtual(
      sync(
        [
          reader('companies', forever('companies'), true),
          reader('conversations', forever('conversations')),
          reader('tickets', forever('tickets')),
        ],
        controller.signal,
      ),
    );
    expect(
      errors(events)
        .map((e) => e.stream)
        .sort(),
    ).toEqual(['companies', 'conversations']);
    for (const e of errors(events)) expect(e.message).toMatch(/interrupted \(SIGTERM\)/);
    expect(statusAt(events, 'tickets', 'STARTED')).toBe(-1);
    expect(result.failedStreams.sort()).toEqual(['companies', 'conversations', 'tickets']);
  });
});

describe('runSync with a failure of the whole run', () => {
  const refused = () =>
    unreachableError('GET /companies/scroll', 'http://127.0.0.1:9/x', 'ECONNREFUSED', 'connect ECONNREFUSED');

  it('an unreachable host that every running reader hits at once is ONE error; every stream ends INCOMPLETE', async () => {
    const failing = (name: string, alongside = false) =>
      reader(
        name,
        async function* () {
          await Promise.resolve();
          throw refused();
        },
        alongside,
      );
    const { events, result } = await sync([failing('companies', true), failing('conversations'), failing('tickets')]);
    expect(errors(events)).toHaveLength(1);
    expect(errors(events)[0]!.message).toMatch(/Could not reach Intercom/);
    for (const stream of ['companies', 'conversations', 'tickets'])
      expect(statusAt(events, stream, 'INCOMPLETE')).toBeGreaterThanOrEqual(0);
    expect(result.failedStreams.sort()).toEqual(['companies', 'conversations', 'tickets']);
  });

  it('a missing permission (403) stops only its stream unless fail_on_missing_permission is set', async () => {
    const forbidden = () =>
      new IntercomApiError({ endpoint: 'GET /tickets', status: 403, transient: false, message: 'no scope' });
    const { events, result } = await sync([
      reader('tickets', async function* () {
        yield* [];
        throw forbidden();
      }),
      reader('admins', async function* () {
        yield page('admins', ['a1']);
      }),
    ]);
    expect(errors(events)).toHaveLength(1);
    expect(statusAt(events, 'admins', 'COMPLETE')).toBeGreaterThanOrEqual(0);
    expect(result.failedStreams).toEqual(['tickets']);
  });
});

describe('runSync with a reader that leaves a gap (a skipped parent, a record without its key)', () => {
  it('delivers the rest, reports one TRACE ERROR naming the gap, ends that reader INCOMPLETE, and the next readers still run', async () => {
    const { events, result } = await sync([
      reader('conversations', async function* () {
        yield page('conversations', ['cv1']);
        yield {
          kind: 'incomplete',
          stream: 'conversations',
          reason: 'conversation cv2 skipped: Intercom refused GET /conversations/cv2 with HTTP 422.',
        };
        yield page('conversations', ['cv3']);
        yield { kind: 'checkpoint', state: { updated_at: 150 } };
      }),
      reader('tickets', async function* () {
        yield page('tickets', ['t0']);
        yield { kind: 'checkpoint', state: { updated_at: 300 } };
      }),
    ]);
    expect(idsOf(events, 'conversations')).toEqual(['cv1', 'cv3']);
    // The reader's own checkpoint (which already stops before the gap) is the last state.
    expect(statesOf(events, 'conversations').at(-1)).toEqual({ updated_at: 150 });
    expect(statusAt(events, 'conversations', 'INCOMPLETE')).toBeGreaterThan(-1);
    expect(statusAt(events, 'conversations', 'COMPLETE')).toBe(-1);
    expect(errors(events)).toHaveLength(1);
    expect(errors(events)[0]!.message).toContain('conversation cv2 skipped');
    expect(errors(events)[0]!.stream).toBe('conversations');
    expect(statusAt(events, 'tickets', 'COMPLETE')).toBeGreaterThan(-1);
    expect(result.failedStreams).toEqual(['conversations']);
    expect(result.recordCounts.get('conversations')).toBe(2);
  });
});
