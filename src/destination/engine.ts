import type { JsonObject } from '../core/events.js';
import { ConnectorError, errorMessage } from '../core/errors.js';
import type { IntercomClient } from '../intercom/client.js';
import { IntercomApiError } from '../intercom/errors.js';
import type { DestinationConfig } from './config.js';
import { classifyFailure, type RecordFailure } from './failures.js';
import type { InputEvent } from './input.js';
import { JsonlFile } from './jsonl-file.js';
import { Ledger } from './ledger.js';
import { KeyedSerializer, Window } from './ordering.js';
import { reservedKeyPath } from './record-keys.js';
import type { StreamRoute, StreamRoutes } from './routes.js';
import type { WriteShell } from './shells.js';
import { WriteSummary } from './summary.js';
import { checkPathFields, INVALID_IDENTIFIER } from './url-path.js';
import { isBatched, type BatchSpec } from './writers/generic.js';
import {
  RecordInvalid,
  RecordRejected,
  type PreparedWrite,
  type SendRequest,
  type Verifier,
  type WriteContext,
  type WriteOutcome,
} from './writers/types.js';

export interface WriteEngineOptions {
  client: IntercomClient;
  config: DestinationConfig;
  routes: StreamRoutes;
  shell: WriteShell;
  /** Base delay of writer-level retries (tests shorten it). */
  retryBaseMs: number;
  signal?: AbortSignal;
}

export interface WriteResult {
  ok: boolean;
  statesEchoed: number;
  summary: WriteSummary;
}

/** Records between two STATE messages; the later STATE is echoed once all of them are settled. */
interface Epoch {
  open: number;
  failed: boolean;
  drained: Promise<void>;
  resolve: () => void;
}

interface OpenBatch {
  spec: BatchSpec;
  route: StreamRoute;
  items: JsonObject[];
  records: JsonObject[];
  settle: ((ok: boolean) => void)[];
}

/** Individual dead-letter lines are logged up to this count; the file has all of them. */
const LOGGED_REJECTIONS = 50;

/**
 * The write engine: validates each record, writes it through its writer (concurrently, within the
 * shared client's rate budget; records sharing an identifier in input order), dead-letters the
 * ones Intercom refuses, and echoes each STATE only after every record before it was
 * acknowledged or dead-lettered.
 */
export class WriteEngine {
  readonly summary = new WriteSummary();
  private readonly ordering = new KeyedSerializer();
  private readonly window: Window;
  private readonly deadLetters: JsonlFile;
  private readonly responses: JsonlFile | undefined;
  private readonly ledger: Ledger;
  private readonly identities = new Map<string, string>();
  private readonly batches = new Map<string, OpenBatch>();
  private readonly droppedFields = new Set<string>();
  private readonly ignoredNoted = new Set<string>();
  private epoch: Epoch = newEpoch();
  private stateChain: Promise<void> = Promise.resolve();
  /** Once a record before a STATE failed for good, no later STATE may be echoed. */
  private stateBlocked = false;
  private statesEchoed = 0;
  private recordsSinceState = new Map<string, number>();
  private totalSinceState = 0;
  private fatal: ConnectorError | undefined;
  private rejections = 0;

  constructor(private readonly opts: WriteEngineOptions) {
    this.window = new Window(Math.max(64, opts.config.maxConcurrency * 16));
    this.deadLetters = new JsonlFile(opts.config.deadLetterPath, 'dead-letter');
    this.responses = opts.config.responsesPath ? new JsonlFile(opts.config.responsesPath, 'responses') : undefined;
    this.ledger = new Ledger(opts.config.ledgerPath);
  }

  private get dryRun(): boolean {
    return this.opts.config.dryRun;
  }

  async run(input: AsyncIterable<InputEvent | undefined>): Promise<WriteResult> {
    const { shell } = this.opts;
    if (this.dryRun)
      await shell.log(
        'INFO',
        'Dry run: records are validated and the requests they would send are logged (DRY_RUN lines); Intercom is not called and no STATE is echoed.',
      );
    let complete = false;
    try {
      for await (const event of input) {
        if (this.stopped()) break;
        if (event) await this.handle(event);
      }
      complete = !this.stopped();
    } catch (err) {
      if (!this.opts.signal?.aborted) this.setFatal(err);
    }
    await this.flushBatches();
    this.closeEpoch(undefined);
    await this.stateChain;
    await this.report(complete);
    return { ok: complete && !this.fatal, statesEchoed: this.statesEchoed, summary: this.summary };
  }

  private stopped(): boolean {
    return this.fatal !== undefined || this.opts.signal?.aborted === true;
  }

  private async handle(event: InputEvent): Promise<void> {
    switch (event.type) {
      case 'record':
        return this.onRecord(event.stream, event.data);
      case 'state':
        return this.onState(event.stream, event.payload);
      case 'schema': {
        const route = this.opts.routes.get(event.stream);
        if (typeof route === 'string')
          await this.opts.shell.log(
            'WARN',
            `SCHEMA for stream '${event.stream}': ${route}. Its records will be ${this.opts.config.onError === 'fail' ? 'refused' : 'dead-lettered'}.`,
          );
        return;
      }
      case 'ignored':
        if (!this.ignoredNoted.has(event.what)) {
          this.ignoredNoted.add(event.what);
          await this.opts.shell.log('INFO', `Ignoring ${event.what} on stdin (nothing to write).`);
        }
        return;
      case 'bad':
        this.summary.stream(event.stream ?? '(input)').received++;
        this.reject({
          stream: event.stream,
          record: event.record,
          line: event.record ? undefined : event.line,
          code: event.code,
          message: event.reason,
        });
        return;
    }
  }

  private async onRecord(stream: string, data: JsonObject): Promise<void> {
    this.summary.stream(stream).received++;
    this.recordsSinceState.set(stream, (this.recordsSinceState.get(stream) ?? 0) + 1);
    this.totalSinceState++;
    const route = this.opts.routes.get(stream);
    if (typeof route === 'string') {
      this.reject({ stream, record: data, code: 'unknown_stream', message: route });
      return;
    }
    const reserved = reservedKeyPath(data);
    if (reserved) {
      this.reject({
        stream,
        record: data,
        code: 'invalid_record',
        message: `${reserved} is a reserved name (JavaScript object internals: __proto__, constructor, prototype); rename or drop that field. Not sent.`,
      });
      return;
    }
    let prepared: PreparedWrite;
    try {
      const shaped = this.withStaticFields(route, data);
      checkPathFields(shaped, route.writer.routes, route.operation);
      prepared = route.writer.prepare(shaped, route.operation, (field) => this.dropped(route, field));
    } catch (err) {
      if (!(err instanceof RecordInvalid)) throw err;
      this.reject({
        stream,
        record: data,
        code: err.code,
        message: err.code === INVALID_IDENTIFIER ? err.message : `${err.message} (not sent)`,
      });
      return;
    }
    if (isBatched(prepared)) {
      await this.addToBatch(route, prepared.batch.spec, prepared.batch.item, data);
      return;
    }
    if (this.dryRun) {
      for (const request of prepared.plan)
        await this.opts.shell.log(
          'INFO',
          `DRY_RUN ${JSON.stringify({ stream, operation: route.operation, ...request })}`,
        );
      this.summary.count(stream, { kind: 'planned' });
      return;
    }
    const settle = this.track();
    await this.window.acquire();
    void this.ordering
      .run(prepared.keys, () => this.execute(route, data, prepared))
      .then(settle, () => settle(false))
      .finally(() => this.window.release());
  }

  private withStaticFields(route: StreamRoute, data: JsonObject): JsonObject {
    if (!route.exclude.length && !Object.keys(route.defaults).length) return data;
    const record: JsonObject = { ...route.defaults, ...data };
    for (const field of route.exclude) delete record[field];
    return record;
  }

  private async execute(route: StreamRoute, record: JsonObject, prepared: PreparedWrite): Promise<boolean> {
    if (this.fatal) return false;
    try {
      const outcome = await prepared.run(this.context(route));
      await this.counted(route.stream, outcome);
      return true;
    } catch (err) {
      return this.failed(route.stream, [record], err);
    }
  }

  private async counted(stream: string, outcome: WriteOutcome, records = 1): Promise<void> {
    this.summary.count(stream, outcome, records);
    if (outcome.note)
      await this.opts.shell.log(outcome.kind === 'skipped' ? 'INFO' : 'DEBUG', `stream ${stream}: ${outcome.note}`);
  }

  /** A write failed: dead-letter the record(s) when Intercom refused them, else stop the run. */
  private failed(stream: string, records: JsonObject[], err: unknown): boolean {
    const failure = classifyFailure(err);
    if (failure.kind === 'fatal') {
      this.setFatal(failure.error);
      return false;
    }
    let ok = true;
    for (const record of records) ok = this.reject({ stream, record, ...failure.detail }) && ok;
    return ok;
  }

  /** Dead-letters a record (true), or with on_error = fail stops the run (false). */
  private reject(entry: RecordFailure): boolean {
    const stream = entry.stream ?? '(input)';
    this.summary.count(stream, { kind: 'failed' });
    const what = `${entry.stream ? `stream ${entry.stream}: ` : ''}${entry.code}${entry.status ? ` (HTTP ${entry.status})` : ''}: ${entry.message}`;
    if (this.opts.config.onError === 'fail') {
      this.setFatal(
        new ConnectorError(
          `A record could not be written and on_error is fail: ${what}. Nothing after it was sent; fix it (or set on_error to dead_letter) and run again from the last STATE.`,
          { failureType: 'system_error', internalMessage: entry.endpoint, stream: entry.stream },
        ),
      );
      return false;
    }
    if (!this.dryRun) {
      try {
        this.deadLetters.append({
          at: new Date().toISOString(),
          stream: entry.stream ?? null,
          code: entry.code,
          status: entry.status ?? null,
          intercom_code: entry.intercomCode ?? null,
          message: entry.message,
          ...(entry.endpoint ? { endpoint: entry.endpoint } : {}),
          ...(entry.record ? { record: entry.record } : { line: entry.line }),
        });
      } catch (err) {
        this.setFatal(err);
        return false;
      }
    }
    if (++this.rejections <= LOGGED_REJECTIONS)
      void this.opts.shell.log('WARN', `${this.dryRun ? 'Would dead-letter' : 'Dead-lettered'} ${what}`);
    else if (this.rejections === LOGGED_REJECTIONS + 1)
      void this.opts.shell.log('WARN', `More records were dead-lettered; see ${this.opts.config.deadLetterPath}.`);
    return true;
  }

  /** Stops the run. The open epoch can no longer complete, so neither its STATE nor any later one is echoed. */
  private setFatal(err: unknown): void {
    this.epoch.failed = true;
    if (this.fatal) return;
    this.fatal =
      err instanceof ConnectorError
        ? err
        : new ConnectorError(`Unexpected error while writing: ${errorMessage(err)}`, { failureType: 'system_error' });
  }

  private dropped(route: StreamRoute, field: string): void {
    const key = `${route.stream}.${field}`;
    if (this.droppedFields.has(key)) return;
    this.droppedFields.add(key);
    void this.opts.shell.log(
      'WARN',
      `stream ${route.stream}: field '${field}' is not accepted by Intercom's ${route.writer.object} ${route.operation}; it is dropped (not sent). Logged once per field.`,
    );
  }

  // ------------------------------------------------------------------ STATE echo

  /** Registers a record in the current epoch; the returned function settles it (ok = written or dead-lettered). */
  private track(): (ok: boolean) => void {
    const epoch = this.epoch;
    epoch.open++;
    let settled = false;
    return (ok) => {
      if (settled) return;
      settled = true;
      if (!ok) epoch.failed = true;
      if (--epoch.open === 0) epoch.resolve();
    };
  }

  private async onState(stream: string | undefined, payload: unknown): Promise<void> {
    await this.flushBatches();
    const count = stream === undefined ? this.totalSinceState : (this.recordsSinceState.get(stream) ?? 0);
    if (stream === undefined) this.recordsSinceState.clear();
    else this.recordsSinceState.delete(stream);
    this.totalSinceState = 0;
    this.closeEpoch(() => {
      if (this.dryRun) return;
      this.statesEchoed++;
      return this.opts.shell.echoState(payload, count);
    });
  }

  /** Chains the echo after the epoch's records and the earlier echoes; a failed epoch blocks every later STATE. */
  private closeEpoch(echo: (() => void | Promise<void>) | undefined): void {
    const epoch = this.epoch;
    this.epoch = newEpoch();
    if (epoch.open === 0) epoch.resolve();
    this.stateChain = this.stateChain.then(async () => {
      await epoch.drained;
      if (epoch.failed || this.stateBlocked) {
        this.stateBlocked = true;
        return;
      }
      await echo?.();
    });
  }

  // ------------------------------------------------------------------ batches (generic mode)

  private async addToBatch(route: StreamRoute, spec: BatchSpec, item: JsonObject, record: JsonObject): Promise<void> {
    let batch = this.batches.get(spec.group);
    if (!batch) {
      batch = { spec, route, items: [], records: [], settle: [] };
      this.batches.set(spec.group, batch);
    }
    batch.items.push(item);
    batch.records.push(record);
    batch.settle.push(this.dryRun ? () => undefined : this.track());
    if (batch.items.length >= spec.size) await this.flushBatch(batch);
  }

  private async flushBatches(): Promise<void> {
    for (const batch of [...this.batches.values()]) await this.flushBatch(batch);
  }

  private async flushBatch(batch: OpenBatch): Promise<void> {
    this.batches.delete(batch.spec.group);
    if (!batch.items.length) return;
    const { route, spec, items, records, settle } = batch;
    if (this.dryRun) {
      await this.opts.shell.log(
        'INFO',
        `DRY_RUN ${JSON.stringify({ stream: route.stream, operation: route.operation, records: items.length, ...spec.plan(items) })}`,
      );
      this.summary.count(route.stream, { kind: 'planned' }, items.length);
      return;
    }
    await this.window.acquire();
    const run = async (): Promise<boolean> => {
      if (this.fatal) return false;
      try {
        await this.counted(route.stream, await spec.send(items, this.context(route)), items.length);
        return true;
      } catch (err) {
        return this.failed(route.stream, records, err);
      }
    };
    void this.ordering
      .run([`batch|${spec.group}`], run)
      .then(
        (ok) => settle.forEach((s) => s(ok)),
        () => settle.forEach((s) => s(false)),
      )
      .finally(() => this.window.release());
  }

  // ------------------------------------------------------------------ requests

  private context(route: StreamRoute): WriteContext {
    return {
      stream: route.stream,
      operation: route.operation,
      logger: {
        debug: (m) => void this.opts.shell.log('DEBUG', m),
        info: (m) => void this.opts.shell.log('INFO', m),
        warn: (m) => void this.opts.shell.log('WARN', m),
        error: (m) => void this.opts.shell.log('ERROR', m),
      },
      send: (req) => this.send(route, req),
      sendOnce: (req, verify) => this.sendOnce(route, req, verify),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      retryBaseMs: this.opts.retryBaseMs,
      identities: this.identities,
    };
  }

  private async send<T>(route: StreamRoute, req: SendRequest, retries?: number): Promise<T | undefined> {
    const answer = await this.opts.client.requestMaybe<T>({
      method: req.method,
      path: req.path,
      json: req.json,
      searchParams: req.query,
      allow404: req.allow404,
      stream: route.stream,
      ...(retries === undefined ? {} : { retries }),
    });
    if (this.responses && req.method !== 'GET' && !req.path.endsWith('/search')) {
      this.responses.append({
        at: new Date().toISOString(),
        stream: route.stream,
        operation: route.operation,
        method: req.method,
        path: req.path,
        found: !(req.allow404 && answer === undefined),
        response: answer ?? null,
      });
    }
    return answer;
  }

  /**
   * A non-idempotent request. The shared client retries 429s (never processed); a 5xx answer is
   * retried here; a reset, timeout or unreadable answer is ambiguous: the writer's check decides,
   * and without a check the record is dead-lettered as unknown_outcome rather than sent twice.
   */
  private async sendOnce<T>(
    route: StreamRoute,
    req: SendRequest,
    verify?: Verifier,
  ): Promise<{ body?: T; skipped?: string }> {
    const key = Ledger.keyOf({ method: req.method, path: req.path, json: req.json });
    const earlier = this.ledger.status(key);
    if (earlier === 'done')
      return { skipped: `already written by an earlier run (ledger ${this.ledger.path}): ${req.method} ${req.path}` };
    if (earlier === 'sent') {
      if (!verify) throw unknownOutcome(req, 'an earlier run sent it and stopped before the answer');
      if (await verify(undefined)) {
        this.ledger.mark(key, 'done');
        return {
          skipped: `written by an earlier run whose answer was lost (found in Intercom): ${req.method} ${req.path}`,
        };
      }
    }
    const maxRetries = this.opts.config.maxRetries;
    for (let attempt = 0; ; attempt++) {
      const since = Math.floor(Date.now() / 1000) - 60;
      this.ledger.mark(key, 'sent');
      try {
        const body = await this.send<T>(route, req, 0);
        this.ledger.mark(key, 'done');
        return { body };
      } catch (err) {
        const transient =
          err instanceof IntercomApiError && err.failureType === 'transient_error' && err.status !== 429;
        if (!transient) {
          this.ledger.mark(key, 'failed');
          throw err;
        }
        if (verify) {
          if (await verify(since)) {
            this.ledger.mark(key, 'done');
            return {};
          }
        } else if (!answeredWithServerError(err)) {
          throw unknownOutcome(req, errorMessage(err));
        }
        if (attempt >= maxRetries) {
          if (!verify) this.ledger.mark(key, 'failed');
          throw err;
        }
        await new Promise((resolve) =>
          setTimeout(resolve, this.opts.retryBaseMs * 2 ** Math.min(attempt, 6) * (0.5 + Math.random())),
        );
      }
    }
  }

  // ------------------------------------------------------------------ the end

  private async report(complete: boolean): Promise<void> {
    const { shell, config } = this.opts;
    this.deadLetters.close();
    this.responses?.close();
    if (complete && !this.fatal && !this.dryRun) this.ledger.compact();
    else this.ledger.close();
    const deadLettered = this.deadLetters.lines;
    for (const line of this.summary.lines()) await shell.log('INFO', line);
    await shell.log(
      'INFO',
      `WRITE_SUMMARY ${JSON.stringify({ streams: this.summary.toJSON(), states_echoed: this.statesEchoed, dead_letters: deadLettered, dead_letter_path: deadLettered ? config.deadLetterPath : null, requests: this.opts.client.stats })}`,
    );
    if (this.fatal) await shell.fail(this.fatal.message, this.fatal.internalMessage, this.fatal.failureType);
    else if (!complete && this.opts.signal?.aborted)
      await shell.fail(
        'The write was interrupted; records after the last echoed STATE were not all written. Run again from that STATE.',
        undefined,
        'transient_error',
      );
    await shell.flush();
  }
}

function newEpoch(): Epoch {
  let resolve!: () => void;
  const drained = new Promise<void>((r) => (resolve = r));
  return { open: 0, failed: false, drained, resolve };
}

/** Retries that ran out on 5xx answers; anything else transient got no answer. */
function answeredWithServerError(err: IntercomApiError): boolean {
  return err.lastStatus !== undefined && err.lastStatus >= 500;
}

function unknownOutcome(req: SendRequest, why: string): RecordRejected {
  return new RecordRejected(
    `${req.method} ${req.path} may or may not have been written (${why}). It was not sent again, to avoid a duplicate: check Intercom and re-send it if it is missing.`,
    'unknown_outcome',
  );
}
