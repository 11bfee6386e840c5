import type { JsonObject } from '../../core/events.js';
import { ConfigError } from '../../core/errors.js';
import type { StreamWriteConfig } from '../config.js';
import { buildPath, placeholdersOf, templateProblem } from '../url-path.js';
import type { HttpMethod, ObjectWriter, Operation, PreparedWrite, WriteContext, WriteOutcome } from './types.js';

const OPERATIONS: Operation[] = ['create', 'update', 'upsert', 'delete'];

export interface BatchSpec {
  /** Records of one group are sent together. */
  group: string;
  size: number;
  send(items: JsonObject[], ctx: WriteContext): Promise<WriteOutcome>;
  plan(items: JsonObject[]): { method: HttpMethod; path: string; body: unknown };
}

/** A record of a batched stream: its body item waits for the batch. */
export interface BatchedWrite extends PreparedWrite {
  batch: { spec: BatchSpec; item: JsonObject };
}

/**
 * Generic mode: `method` + `path` (with {field} placeholders filled from the record), for Intercom
 * endpoints without a built-in writer. Without an OpenAPI body schema the record is sent as it is
 * (minus exclude_fields and the placeholder fields), merged over the static `body`.
 */
export function genericWriter(stream: string, config: StreamWriteConfig): ObjectWriter {
  const { method, template, placeholders } = checkedEndpoint(stream, config);
  const exclude = new Set([...(config.exclude_fields ?? []), ...placeholders]);
  const staticBody = (config.body ?? {}) as JsonObject;
  const idempotent = config.idempotent ?? method !== 'POST';
  const batchProperty = config.batch_property;
  const send = async (ctx: WriteContext, path: string, json: unknown): Promise<WriteOutcome> => {
    const answer = idempotent
      ? await ctx.send<JsonObject>({ method, path, json }).then((body) => ({ body, skipped: undefined }))
      : await ctx.sendOnce<JsonObject>({ method, path, json });
    return answer.skipped
      ? { kind: 'skipped', note: answer.skipped }
      : {
          kind: method === 'DELETE' ? 'deleted' : 'written',
          id: typeof answer.body?.id === 'string' ? answer.body.id : undefined,
        };
  };
  const batch: BatchSpec | undefined = batchProperty
    ? {
        group: stream,
        size: config.batch_size ?? 100,
        plan: (items) => ({ method, path: template, body: { ...staticBody, [batchProperty]: items } }),
        send: (items, ctx) => send(ctx, template, { ...staticBody, [batchProperty]: items }),
      }
    : undefined;

  return {
    object: stream,
    operations: OPERATIONS,
    defaultOperation: 'create',
    routes: placeholders.length
      ? [
          {
            operations: OPERATIONS,
            method,
            template,
            example: Object.fromEntries(placeholders.map((p, i) => [p, `v${i + 1}`])),
          },
        ]
      : [],
    prepare(record): PreparedWrite {
      // fromEntries defines own properties: a `__proto__` key could never turn into the item's prototype.
      const item: JsonObject = Object.fromEntries(
        Object.entries(record).filter(([key, value]) => !exclude.has(key) && value !== undefined),
      );
      if (batch) return batchedWrite(batch, item);
      const path = buildPath(template, record);
      const body = method === 'DELETE' ? undefined : { ...staticBody, ...item };
      return {
        keys: [`generic:${method} ${path}`],
        plan: [{ method, path, ...(body ? { body } : {}) }],
        run: (ctx) => send(ctx, path, body),
      };
    },
  };
}

/** The stream's method and path template, refused with the field named when generic mode cannot work. */
function checkedEndpoint(
  stream: string,
  config: StreamWriteConfig,
): { method: HttpMethod; template: string; placeholders: string[] } {
  const where = `config.streams.${stream}`;
  const method = config.method as HttpMethod | undefined;
  const template = config.path;
  if (!method || !template)
    throw new ConfigError(
      `${where} needs both method and path for generic mode (or object: one of the built-in writers).`,
    );
  const problem = templateProblem(template);
  if (problem) throw new ConfigError(`${where}.path '${template}' ${problem}.`);
  const placeholders = placeholdersOf(template);
  if (config.batch_property && placeholders.length) {
    throw new ConfigError(
      `${where}.path has placeholders (${placeholders.join(', ')}); a batched stream sends many records in one request, so its path must be fixed.`,
    );
  }
  return { method, template, placeholders };
}

/** A record of a batched stream: the batcher sends it, with others, in one request. */
function batchedWrite(spec: BatchSpec, item: JsonObject): BatchedWrite {
  return {
    keys: [],
    plan: [],
    run: () => Promise.reject(new Error('batched records are sent by the batcher')),
    batch: { spec, item },
  };
}

export function isBatched(prepared: PreparedWrite): prepared is BatchedWrite {
  return (prepared as Partial<BatchedWrite>).batch !== undefined;
}
