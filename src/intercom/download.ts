import got from 'got';
import { Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { redact } from '../core/redact.js';
import type { ConnectionSettings } from '../config/connection.js';
import { packageVersion } from '../util/package-root.js';
import { IntercomApiError, describeHttpError, parseErrorBody } from './errors.js';

/**
 * Streamed file downloads (export jobs): `Accept: application/octet-stream`, gunzipped when the
 * bytes are gzip, never collected whole. Apart from IntercomClient because that one buffers each
 * body as a string; auth, version and origin rules are the same. One request per export window,
 * so these few requests are not paced by the client's rate budget.
 */
export interface DownloadOptions {
  /** Largest compressed body accepted; a larger one is cut off with an error. */
  maxBytes: number;
  /** Largest decompressed size (a gzip bomb stops here). */
  maxInflatedBytes: number;
  timeoutMs: number;
  stream?: string;
}

export class DownloadNotFoundError extends IntercomApiError {}

/** The URL to download from: `fallbackPath` below the API root, or `url` when it is on the API's own origin. */
export function downloadUrl(
  settings: Pick<ConnectionSettings, 'baseUrl'>,
  url: string | undefined,
  fallbackPath: string,
): string {
  const base = new URL(settings.baseUrl.endsWith('/') ? settings.baseUrl : `${settings.baseUrl}/`);
  if (url) {
    const parsed = new URL(url, base);
    // The token goes only to the configured origin: a link elsewhere is not followed.
    if (parsed.origin === base.origin) return parsed.toString();
  }
  return new URL(fallbackPath.replace(/^\//, ''), base).toString();
}

/** Opens a download; resolves with the (decompressed) body once the status is known to be 200. */
export async function openDownload(
  settings: ConnectionSettings,
  url: string,
  opts: DownloadOptions,
): Promise<Readable> {
  const endpoint = `GET ${new URL(url).pathname.replace(/[^/]+$/, '{job_identifier}')}`;
  const request = got.stream(url, {
    headers: {
      authorization: `Bearer ${settings.accessToken}`,
      'intercom-version': settings.apiVersion,
      accept: 'application/octet-stream',
      'user-agent': `intercom-connector/${packageVersion}`,
    },
    timeout: { request: opts.timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    decompress: true,
  });
  const response = await new Promise<{ statusCode: number }>((resolve, reject) => {
    request.once('response', resolve);
    request.once('error', (err: Error) =>
      reject(
        new IntercomApiError({
          endpoint,
          transient: true,
          message: `${endpoint}: download failed: ${redact(err.message)}`,
          cause: err,
        }),
      ),
    );
  });
  if (response.statusCode !== 200) throw await statusError(request, response.statusCode, endpoint);
  return limitAndInflate(request, opts, endpoint);
}

async function statusError(body: Readable, status: number, endpoint: string): Promise<IntercomApiError> {
  let text = '';
  for await (const chunk of body) {
    text += String(chunk);
    if (text.length > 65_536) break;
  }
  body.destroy();
  const parsed = parseErrorBody(text);
  const Kind = status === 404 || status === 410 ? DownloadNotFoundError : IntercomApiError;
  return new Kind({
    endpoint,
    status,
    body: parsed,
    transient: status >= 500 || status === 429,
    message: describeHttpError(status, endpoint, parsed),
  });
}

/**
 * Counts bytes (compressed, then inflated) and gunzips when the first two bytes are the gzip magic
 * (they are read before deciding, whatever the chunking). Streams all the way: pipe() keeps
 * backpressure, so a slow consumer slows the download instead of filling memory.
 */
async function limitAndInflate(body: Readable, opts: DownloadOptions, endpoint: string): Promise<Readable> {
  const tooBig = (what: string, limit: number) =>
    new IntercomApiError({
      endpoint,
      transient: false,
      message: `${endpoint}: the export file is larger than ${limit} bytes ${what}; export shorter windows (reporting_window_days).`,
    });
  const broke = (err: unknown) =>
    err instanceof IntercomApiError
      ? err
      : new IntercomApiError({
          endpoint,
          transient: true,
          message: `${endpoint}: download broke off: ${redact(errorText(err))}`,
          cause: err,
        });
  const chunks = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head = await readHead(chunks).catch((err: unknown) => Promise.reject(broke(err)));
  let raw = head.length;
  async function* compressed(): AsyncGenerator<Buffer> {
    if (raw > opts.maxBytes) throw tooBig('compressed', opts.maxBytes);
    if (head.length) yield head;
    for (;;) {
      const next = await chunks.next().catch((err: unknown) => Promise.reject(broke(err)));
      if (next.done) return;
      raw += next.value.length;
      if (raw > opts.maxBytes) throw tooBig('compressed', opts.maxBytes);
      yield next.value;
    }
  }
  const limit = byteLimit(opts.maxInflatedBytes, () => tooBig('decompressed', opts.maxInflatedBytes));
  const source = Readable.from(compressed(), { objectMode: false });
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const fail = (err: unknown) => limit.destroy(broke(err));
  source.once('error', fail);
  if (gzip) {
    const gunzip = createGunzip();
    gunzip.once('error', (err) =>
      fail(
        new IntercomApiError({
          endpoint,
          transient: true,
          message: `${endpoint}: the gzip file is damaged or cut short (${err.message})`,
        }),
      ),
    );
    source.pipe(gunzip).pipe(limit);
  } else {
    source.pipe(limit);
  }
  limit.once('close', () => {
    source.destroy();
    body.destroy();
  });
  return limit;
}

/** At least the first two bytes (the gzip magic), whatever the chunking; fewer only when the body is shorter. */
async function readHead(chunks: AsyncIterator<Buffer>): Promise<Buffer> {
  let head = Buffer.alloc(0);
  while (head.length < 2) {
    const next = await chunks.next();
    if (next.done) break;
    head = Buffer.concat([head, next.value]);
  }
  return head;
}

/** A pass-through that fails once more than `max` bytes went through it. */
function byteLimit(max: number, tooBig: () => Error): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > max) return done(tooBig());
      done(null, chunk);
    },
  });
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
