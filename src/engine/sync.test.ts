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

/** A reader of one stream; `scroll`: it holds the companies scroll (one per app). */
function reader(name: string, body: () => AsyncGenerator<ReaderItem>, scroll = false): Reader {
  return {
    streams: [{ name, primaryKey: ['id'], cursorField: 'updated_at' }],
    read: body,
    ...(scroll ? { holds: { resource: 'companies scroll', limit: 1 } } : {}),
  };
}

interface SyncExtras {
  signal?: AbortSignal;
  /** max_parallel_readers (default: the setting's default). */
  parallel?: number;
  /** Emit a STATE at every checkpoint (default: the settings' thresholds). */
  everyCheckpoint?: boolean;
  /** Called with every event after it is recorded; may throw (a broken sink). */
  onEvent?: (event: EngineEvent) => void;
}

async function sync(
  readers: Reader[],
  extras: SyncExtras | AbortSignal = {},
): Promise<{ events: EngineEvent[]; result: SyncResult }> {
  const opts: SyncExtras = extras instanceof AbortSignal ? { signal: extras } : extras;
  const events: EngineEvent[] = [];
  const config = parseSourceConfig({ access_token: 'test-token-not-secret' }, {});
  const result = await runSync({
    client: {} as unknown as IntercomClient,
    config,
    sink: {
      emit: (event) => {
        events.push(event);
        opts.onEvent?.(event);
      },
      flush: async () => undefined,
    },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    selected: readers.map((r) => ({ name: r.streams[0]!.name, syncMode: 'incremental' as const })),
    inputState: new Map(),
    readers,
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.parallel ? { parallelReaders: opts.parallel } : {}),
    ...(opts.everyCheckpoint ? { checkpointEveryRecords: 1 } : {}),
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

describe('runSync runs readers side by side (virtual clock)', () => {
  // Ordering comes from the virtual clock (each sleep ends exactly when due), not from the load of the machine.
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('the scroll walk does not hold back the readers after it; every record and state of all of them arrives', async () => {
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

  it('a revoked token in one reader stops the walk beside it: its safe state is kept, it ends INCOMPLETE, one error is reported, the unstarted reader never starts', async () => {
    let ticketsStarted = false;
    let walkStopped = false;
    const { events, result } = await virtual(
      sync(
        [
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
        ],
        { parallel: 2 },
      ),
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

  it('a revoked token in the walk stops the reader running beside it and every unstarted one', async () => {
    let ticketsStarted = false;
    const { events, result } = await virtual(
      sync(
        [
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
        ],
        { parallel: 2 },
      ),
    );
    expect(ticketsStarted).toBe(false);
    expect(statesOf(events, 'conversations')).toEqual([{ updated_at: 70 }]);
    expect(statusAt(events, 'conversations', 'INCOMPLETE')).toBeGreaterThan(-1);
    expect(statusAt(events, 'tickets', 'INCOMPLETE')).toBeGreaterThan(-1);
    expect(errors(events).map((e) => e.stream)).toEqual(['companies']);
    expect(result.failedStreams.sort()).toEqual(['companies', 'conversations', 'tickets']);
  });

  it('a signal stops every running reader; each says it was interrupted, the unstarted one ends INCOMPLETE', async () => {
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
        { signal: controller.signal, parallel: 2 },
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

/** A promise to settle from outside: readers wait on these instead of sleeping. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (err: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Resolves once an event matching `test` was emitted (checked on every event). */
function watcher(): {
  onEvent: (event: EngineEvent) => void;
  until: (test: (e: EngineEvent) => boolean) => Promise<void>;
} {
  const waits: { test: (e: EngineEvent) => boolean; resolve: () => void }[] = [];
  const seen: EngineEvent[] = [];
  return {
    onEvent: (event) => {
      seen.push(event);
      for (const w of [...waits]) {
        if (w.test(event)) {
          waits.splice(waits.indexOf(w), 1);
          w.resolve();
        }
      }
    },
    until: (test) =>
      seen.some(test) ? Promise.resolve() : new Promise<void>((resolve) => waits.push({ test, resolve })),
  };
}
const isStatus = (stream: string, status: string) => (e: EngineEvent) =>
  e.type === 'status' && e.stream === stream && e.status === status;

describe('the scheduler: readers at once, within max_parallel_readers and the per-workspace resources', () => {
  it('a slow reader does not delay another: the fast one completes while the slow one still waits for its first page', async () => {
    const slowPage = deferred();
    const w = watcher();
    const running = sync(
      [
        reader('contacts', async function* () {
          await slowPage.promise;
          yield page('contacts', ['c1']);
          yield { kind: 'checkpoint', state: { updated_at: 10 } };
        }),
        reader('admins', async function* () {
          yield page('admins', ['a1', 'a2']);
          yield { kind: 'checkpoint', state: { updated_at: 20 } };
        }),
      ],
      { onEvent: w.onEvent },
    );
    // Only released once admins is COMPLETE: sequential readers would never get there.
    await w.until(isStatus('admins', 'COMPLETE'));
    slowPage.resolve();
    const { events, result } = await running;
    expect(statusAt(events, 'admins', 'COMPLETE')).toBeLessThan(statusAt(events, 'contacts', 'RUNNING'));
    expect(idsOf(events, 'contacts')).toEqual(['c1']);
    expect(idsOf(events, 'admins')).toEqual(['a1', 'a2']);
    expect(statesOf(events, 'contacts')).toEqual([{ updated_at: 10 }]);
    expect(result.failedStreams).toEqual([]);
  });

  it('runs at most max_parallel_readers at once, in catalog order, and every reader still runs to its end', async () => {
    const names = ['admins', 'teams', 'tags', 'segments', 'notes'];
    const gates = names.map(() => deferred());
    let active = 0;
    let mostActive = 0;
    const startedOrder: string[] = [];
    const entered = names.map(() => deferred());
    const w = watcher();
    const running = sync(
      names.map((name, i) =>
        reader(name, async function* () {
          startedOrder.push(name);
          entered[i]!.resolve();
          active++;
          mostActive = Math.max(mostActive, active);
          try {
            await gates[i]!.promise;
            yield page(name, [`${name}-1`]);
          } finally {
            active--;
          }
        }),
      ),
      { parallel: 2, onEvent: w.onEvent },
    );
    await entered[1]!.promise;
    expect(startedOrder).toEqual(['admins', 'teams']);
    // teams ends first: its slot goes to tags, while admins still runs.
    gates[1]!.resolve();
    await entered[2]!.promise;
    expect(startedOrder).toEqual(['admins', 'teams', 'tags']);
    for (const gate of gates) gate.resolve();
    const { events, result } = await running;
    expect(mostActive).toBe(2);
    expect(startedOrder).toEqual(names);
    for (const name of names) expect(idsOf(events, name)).toEqual([`${name}-1`]);
    expect(result.failedStreams).toEqual([]);
  });

  it('16 readers waiting at once on the run-wide stop signal raise no MaxListenersExceededWarning on stderr', async () => {
    const names = ['admins', 'teams', 'tags', 'segments', 'notes', 'events', 'contacts', 'conversations'];
    names.push('tickets', 'ticket_types', 'articles', 'collections', 'help_centers', 'subscription_types');
    names.push('data_attributes', 'activity_logs');
    const gate = deferred();
    const entered = names.map(() => deferred());
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const running = sync(
        names.map((name, i) =>
          reader(name, async function* () {
            entered[i]!.resolve();
            await gate.promise;
            yield page(name, [`${name}-1`]);
          }),
        ),
        { parallel: 16 },
      );
      await Promise.all(entered.map((e) => e.promise));
      gate.resolve();
      const { events } = await running;
      for (const name of names) expect(idsOf(events, name)).toEqual([`${name}-1`]);
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('a reader waiting for a resource another holds (the one companies scroll) lets later readers start first', async () => {
    const firstScroll = deferred();
    let scrollsAtOnce = 0;
    let mostScrolls = 0;
    const scrollReader = (name: string, gate?: Promise<void>) =>
      reader(
        name,
        async function* () {
          scrollsAtOnce++;
          mostScrolls = Math.max(mostScrolls, scrollsAtOnce);
          try {
            if (gate) await gate;
            yield page(name, [`${name}-1`]);
          } finally {
            scrollsAtOnce--;
          }
        },
        true,
      );
    const w = watcher();
    const running = sync(
      [
        scrollReader('companies', firstScroll.promise),
        scrollReader('tickets'),
        reader('admins', async function* () {
          yield page('admins', ['a1']);
        }),
      ],
      { onEvent: w.onEvent },
    );
    await w.until(isStatus('admins', 'COMPLETE'));
    firstScroll.resolve();
    const { events } = await running;
    expect(mostScrolls).toBe(1);
    expect(statusAt(events, 'tickets', 'STARTED')).toBeGreaterThan(statusAt(events, 'companies', 'COMPLETE'));
    expect(statusAt(events, 'admins', 'STARTED')).toBeLessThan(statusAt(events, 'tickets', 'STARTED'));
    expect(idsOf(events, 'tickets')).toEqual(['tickets-1']);
  });

  it('a failure that stops the run stops every running reader at once and ends every stream INCOMPLETE with its last safe STATE', async () => {
    const neverAnswered = deferred();
    let walkClosed = false;
    const fail = deferred();
    const w = watcher();
    const running = sync(
      [
        reader('contacts', async function* () {
          yield page('contacts', ['c1']);
          yield { kind: 'checkpoint', state: { updated_at: 11 } };
          try {
            await neverAnswered.promise;
            yield page('contacts', ['c2']);
          } finally {
            walkClosed = true;
          }
        }),
        reader('conversations', async function* () {
          yield page('conversations', ['cv1']);
          await fail.promise;
          throw revoked();
        }),
        reader('tickets', async function* () {
          yield page('tickets', ['t1']);
        }),
      ],
      { parallel: 2, everyCheckpoint: true, onEvent: w.onEvent },
    );
    await w.until((e) => e.type === 'state' && e.stream === 'contacts');
    fail.resolve();
    const { events, result } = await running;
    // contacts was waiting on a request that never answers: the stop did not wait for it.
    expect(statesOf(events, 'contacts')).toEqual([{ updated_at: 11 }]);
    expect(idsOf(events, 'contacts')).toEqual(['c1']);
    expect(statusAt(events, 'contacts', 'INCOMPLETE')).toBeGreaterThan(-1);
    expect(statusAt(events, 'tickets', 'STARTED')).toBe(-1);
    expect(statusAt(events, 'tickets', 'INCOMPLETE')).toBeGreaterThan(-1);
    expect(errors(events).map((e) => e.stream)).toEqual(['conversations']);
    expect(result.failedStreams.sort()).toEqual(['contacts', 'conversations', 'tickets']);
    // The abandoned generator is closed once its pending step settles; nothing leaks meanwhile.
    neverAnswered.resolve();
    await w.until(() => true);
    await new Promise((r) => setImmediate(r));
    expect(walkClosed).toBe(true);
  });

  it('a failure of one stream (403) leaves the readers beside it running to COMPLETE', async () => {
    const afterFailure = deferred();
    const w = watcher();
    const forbidden = new IntercomApiError({ endpoint: 'GET /tickets', status: 403, transient: false, message: 'no' });
    const running = sync(
      [
        reader('tickets', async function* () {
          yield page('tickets', ['t1']);
          throw forbidden;
        }),
        reader('contacts', async function* () {
          yield page('contacts', ['c1']);
          await afterFailure.promise;
          yield page('contacts', ['c2']);
          yield { kind: 'checkpoint', state: { updated_at: 30 } };
        }),
      ],
      { onEvent: w.onEvent },
    );
    await w.until(isStatus('tickets', 'INCOMPLETE'));
    afterFailure.resolve();
    const { events, result } = await running;
    expect(statusAt(events, 'contacts', 'COMPLETE')).toBeGreaterThan(statusAt(events, 'tickets', 'INCOMPLETE'));
    expect(idsOf(events, 'contacts')).toEqual(['c1', 'c2']);
    expect(statesOf(events, 'contacts')).toEqual([{ updated_at: 30 }]);
    expect(result.failedStreams).toEqual(['tickets']);
  });

  it('interleaved readers: each STATE covers exactly the records of its own stream emitted before it', async () => {
    // Two readers take turns, page by page: a checkpoint after each page says how many records precede it.
    const turns = Array.from({ length: 8 }, () => deferred());
    const walk = (stream: string, first: number) =>
      async function* (): AsyncGenerator<ReaderItem> {
        for (let i = 0; i < 4; i++) {
          await turns[first + 2 * i]!.promise;
          yield page(stream, [`${stream}-${2 * i}`, `${stream}-${2 * i + 1}`]);
          yield { kind: 'checkpoint', state: { updated_at: 2 * i + 2 } };
          turns[first + 2 * i + 1]?.resolve();
        }
      };
    turns[0]!.resolve();
    const { events } = await sync(
      [reader('contacts', walk('contacts', 0)), reader('companies', walk('companies', 1))],
      {
        everyCheckpoint: true,
      },
    );
    const streamsInOrder = events.filter((e) => e.type === 'record').map((e) => e.stream);
    // They really interleaved.
    expect(streamsInOrder.slice(0, 6)).toEqual([
      'contacts',
      'contacts',
      'companies',
      'companies',
      'contacts',
      'contacts',
    ]);
    for (const stream of ['contacts', 'companies']) {
      let emitted = 0;
      for (const e of events) {
        if (e.type === 'record' && e.stream === stream) emitted++;
        if (e.type === 'state' && e.stream === stream) expect(e.state.updated_at).toBe(emitted);
      }
      expect(emitted).toBe(8);
      expect(statesOf(events, stream).at(-1)).toEqual({ updated_at: 8 });
    }
  });

  it('a sink that fails mid-run (stdout closed) stops every reader and rejects once, with no unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const otherClosed = deferred();
      const neverAnswered = deferred();
      const broken = new Error('write EPIPE');
      let records = 0;
      let sinkBroken = false;
      const running = sync(
        [
          reader('contacts', async function* () {
            for (let i = 0; ; i++) yield page('contacts', [`c${i}`]);
          }),
          reader('companies', async function* () {
            yield page('companies', ['co1']);
            try {
              await neverAnswered.promise;
            } finally {
              otherClosed.resolve();
            }
          }),
        ],
        {
          // From the 5th record on, every write fails, as on a closed stdout.
          onEvent: (e) => {
            if (sinkBroken || (e.type === 'record' && ++records === 5)) {
              sinkBroken = true;
              throw broken;
            }
          },
        },
      );
      await expect(running).rejects.toBe(broken);
      // The other reader was told to stop; its generator closes when its pending step settles.
      neverAnswered.resolve();
      await otherClosed.promise;
      await new Promise((r) => setTimeout(r, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
