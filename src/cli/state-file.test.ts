import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineEvent, EventSink, Logger } from '../core/events.js';
import { StateFile } from './state-file.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'state-file-'));
const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** A sink whose flush resolves only when the test says so (a slow stdout). */
function gatedSink(): EventSink & { events: EngineEvent[]; open(): void } {
  let release: (() => void) | undefined;
  let gate = new Promise<void>((resolve) => (release = resolve));
  const events: EngineEvent[] = [];
  return {
    events,
    emit: (event) => void events.push(event),
    flush: () => gate,
    open() {
      release?.();
      gate = Promise.resolve();
    },
  };
}

const state = (stream: string, updated_at: number): EngineEvent => ({
  type: 'state',
  stream,
  state: { updated_at },
  recordCount: 1,
});

describe('StateFile', () => {
  it('creates the file at open (an empty state), so an unwritable path fails before any work', () => {
    const path = join(dir(), 'state.json');
    StateFile.open(path, 'airbyte', undefined, quiet);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual([]);
    expect(() => StateFile.open(join(dir(), 'missing', 'state.json'), 'singer', undefined, quiet)).toThrow(
      /Cannot write the state file '.*missing\/state\.json'/,
    );
  });

  it('writes a STATE only after the sink flushed it, the STATEs of one turn in one write, in the protocol shape', async () => {
    const path = join(dir(), 'state.json');
    const file = StateFile.open(path, 'airbyte', undefined, quiet);
    const sink = gatedSink();
    const wrapped = file.wrap(sink);
    await wrapped.emit(state('contacts', 10));
    await wrapped.emit(state('contact_tag', 10));
    await new Promise((resolve) => setImmediate(resolve));
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual([]);
    sink.open();
    await wrapped.flush();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual([
      { type: 'STREAM', stream: { stream_descriptor: { name: 'contacts' }, stream_state: { updated_at: 10 } } },
      { type: 'STREAM', stream: { stream_descriptor: { name: 'contact_tag' }, stream_state: { updated_at: 10 } } },
    ]);
    expect(sink.events).toHaveLength(2);
    expect(readdirSync(join(path, '..'))).toEqual(['state.json']);
  });

  it('Singer: keeps the streams of the previous run and holds {"bookmarks": ...}', async () => {
    const path = join(dir(), 'state.json');
    writeFileSync(path, JSON.stringify({ bookmarks: { tags: { updated_at: 1 }, contacts: { updated_at: 5 } } }));
    const file = StateFile.open(path, 'singer', undefined, quiet);
    expect(Object.fromEntries(file.inputState())).toEqual({ tags: { updated_at: 1 }, contacts: { updated_at: 5 } });
    const sink = gatedSink();
    sink.open();
    const wrapped = file.wrap(sink);
    await wrapped.emit(state('contacts', 9));
    await wrapped.flush();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({
      bookmarks: { tags: { updated_at: 1 }, contacts: { updated_at: 9 } },
    });
  });

  it('an empty file is no state; an existing file wins over --state, with a warning', () => {
    const d = dir();
    const path = join(d, 'state.json');
    const seed = join(d, 'seed.json');
    writeFileSync(seed, JSON.stringify({ bookmarks: { contacts: { updated_at: 3 } } }));
    writeFileSync(path, '');
    const warnings: string[] = [];
    const logger = { ...quiet, warn: (m: string) => void warnings.push(m) };
    expect(Object.fromEntries(StateFile.open(path, 'singer', seed, logger).inputState())).toEqual({
      contacts: { updated_at: 3 },
    });
    expect(warnings).toEqual([]);
    writeFileSync(path, JSON.stringify({ bookmarks: { contacts: { updated_at: 7 } } }));
    expect(Object.fromEntries(StateFile.open(path, 'singer', seed, logger).inputState())).toEqual({
      contacts: { updated_at: 7 },
    });
    expect(warnings.join()).toContain(`--state ${seed} is ignored: the state file ${path} exists`);
  });

  it('whatever the timing of STATEs against the writes, the file ends at the last STATE once flushed', async () => {
    const path = join(dir(), 'state.json');
    const file = StateFile.open(path, 'singer', undefined, quiet);
    const sink = gatedSink();
    sink.open();
    const wrapped = file.wrap(sink);
    const tick = (n: number): Promise<void> =>
      n % 3 === 0 ? new Promise((resolve) => setImmediate(resolve)) : Promise.resolve();
    for (let i = 1; i <= 60; i++) {
      await wrapped.emit(state('contacts', i));
      // Microtask and event-loop gaps of every length between a STATE and the next.
      for (let k = 0; k < i % 7; k++) await tick(i + k);
    }
    await wrapped.flush();
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ bookmarks: { contacts: { updated_at: 60 } } });
  });

  it('a write that fails mid-run makes flush and the next emit throw, naming the file', async () => {
    const d = dir();
    const path = join(d, 'state.json');
    const file = StateFile.open(path, 'airbyte', undefined, quiet);
    const sink = gatedSink();
    sink.open();
    const wrapped = file.wrap(sink);
    rmSync(d, { recursive: true });
    await wrapped.emit(state('contacts', 1));
    await expect(wrapped.flush()).rejects.toThrow(
      /Cannot write the state file .*; the sync stops so that no progress goes unsaved/,
    );
    expect(() => wrapped.emit({ type: 'log', level: 'INFO', message: 'x' })).toThrow(/Cannot write the state file/);
  });
});
