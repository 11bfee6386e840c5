import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConnectorError } from '../core/errors.js';
import type { EngineEvent, EventSink, JsonObject, Logger } from '../core/events.js';
import { parseStateInput } from '../engine/state.js';
import { readJsonFile } from '../util/json-file.js';

export type StateFileProtocol = 'airbyte' | 'singer';

/**
 * `--state-file PATH`: the state a run starts from and, rewritten after every STATE the connector
 * emits, the state the next run starts from - so cron, Kubernetes or a shell loop resume with no
 * glue, whatever way the run ended (success, a stream's failure, SIGTERM, kill -9 between two
 * writes: the file then holds the previous STATE, which is safe to resume from).
 *
 * The file holds what the protocol's `--state` takes: Airbyte, the per-stream array of the latest
 * STATE of every stream (streams not read this run keep theirs); Singer, the latest state value
 * `{"bookmarks": {...}}`. It is written only after the STATE line (and every record before it)
 * has been handed to stdout, so the file never claims records the connector has not sent.
 */
export class StateFile {
  private readonly states: Map<string, JsonObject>;
  /** A STATE arrived since the last write began. */
  private dirty = false;
  private saving: Promise<void> | undefined;
  private failure: Error | undefined;

  private constructor(
    readonly path: string,
    private readonly protocol: StateFileProtocol,
    initial: Map<string, JsonObject>,
  ) {
    this.states = new Map(initial);
  }

  /**
   * Opens the state file: its state if it exists (it wins over `--state`, which then only seeds a
   * first run, with a warning), else the `--state` file's, else none. Writes it once at once, so a
   * path that cannot be written fails before any request is made.
   */
  static open(path: string, protocol: StateFileProtocol, statePath: string | undefined, logger: Logger): StateFile {
    const fromFile = readExisting(path);
    if (fromFile && statePath)
      logger.warn(
        `--state ${statePath} is ignored: the state file ${path} exists and is the resume point (--state only seeds a run whose state file does not exist yet).`,
      );
    const initial =
      fromFile ?? (statePath ? parseStateInput(readJsonFile(statePath, 'state')) : new Map<string, JsonObject>());
    const file = new StateFile(path, protocol, initial);
    file.save(file.content());
    return file;
  }

  /** The state of each stream by name, for the run's input. */
  inputState(): Map<string, JsonObject> {
    return new Map(this.states);
  }

  /**
   * The sink with every STATE also saved to the file, once it left through the sink. The STATEs a
   * checkpoint emits together (one per stream of a reader) land in one write, so a kill never
   * leaves a reader's streams at different points. flush() waits for the last write; a write that
   * failed makes the next emit or flush throw, which stops the sync.
   */
  wrap(sink: EventSink): EventSink {
    return {
      emit: (event: EngineEvent) => {
        if (this.failure) throw this.failure;
        if (event.type !== 'state') return sink.emit(event);
        this.states.set(event.stream, event.state);
        const wait = sink.emit(event);
        this.schedule(sink);
        return wait;
      },
      flush: async () => {
        await sink.flush();
        while (this.saving) await this.saving;
        if (this.failure) throw this.failure;
      },
    };
  }

  private schedule(sink: EventSink): void {
    this.dirty = true;
    if (this.saving) return;
    this.saving = this.saveLoop(sink).finally(() => {
      this.saving = undefined;
      // A STATE that came after the loop's last check but before it ended still gets its write.
      if (this.dirty && !this.failure) this.schedule(sink);
    });
  }

  private async saveLoop(sink: EventSink): Promise<void> {
    while (this.dirty && !this.failure) {
      // One turn of the event loop: the other STATEs of the same checkpoint arrive meanwhile.
      await new Promise((resolve) => setImmediate(resolve));
      this.dirty = false;
      // Taken before the flush: every STATE in it was emitted before, so the flush covers its line.
      const content = this.content();
      await sink.flush();
      try {
        this.save(content);
      } catch (err) {
        this.failure = err as Error;
      }
    }
  }

  /** What the next run takes as its state input. */
  content(): unknown {
    if (this.protocol === 'singer') return { bookmarks: Object.fromEntries(this.states) };
    return [...this.states].map(([name, state]) => ({
      type: 'STREAM',
      stream: { stream_descriptor: { name }, stream_state: state },
    }));
  }

  private save(content: unknown): void {
    try {
      writeAtomically(this.path, `${JSON.stringify(content)}\n`);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      // Progress that cannot be saved would be read again next run: stop instead of going on.
      throw new ConnectorError(
        `Cannot write the state file '${this.path}' (${code}); the sync stops so that no progress goes unsaved. Check that its directory exists and is writable.`,
        { failureType: 'config_error' },
      );
    }
  }
}

function readExisting(path: string): Map<string, JsonObject> | undefined {
  if (!existsSync(path)) return undefined;
  // An empty file (created by hand, or `touch`) means no state yet.
  if (readFileSync(path, 'utf8').trim() === '') return undefined;
  return parseStateInput(readJsonFile(path, 'state'));
}

/**
 * Replaces `path` with `text` so that a crash at any moment leaves either the old or the new
 * content: write a temporary file next to it, fsync it, rename it over, fsync the directory.
 */
export function writeAtomically(path: string, text: string): void {
  const temp = `${path}.${process.pid}.tmp`;
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(temp);
    throw err;
  }
  closeSync(fd);
  renameSync(temp, path);
  syncDirectory(dirname(path));
}

function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse to fsync a directory; the rename is then as durable as they allow.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
