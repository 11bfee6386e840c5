import got from 'got';
import { Transform, type Readable } from 'node:stream';
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
export function downloadUrl(settings: Pick<ConnectionSettings, 'baseUrl'>, url: string | undefined, fallbackPath: string): string {
  const base = new URL(settings.baseUrl.endsWith('/') ? settings.baseUrl : `${settings.baseUrl}/`);
  if (url) {
    const parsed = new URL(url, base);
    // The token goes only to the configured origin: a link elsewhere is not followed.
    if (parsed.origin === base.origin) return parsed.toString();
  }
  return new URL(fallbackPath.replace(/^\//, ''), base).toString();
}

/** Opens a download; resolves with the (decompressed) body once the status is known to be 200. */
export async function openDownload(settings: ConnectionSettings, url: string, opts: DownloadOptions): Promise<Readable> {
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
    request.once('error', (err: Error) => reject(new IntercomApiError({ endpoint, transient: true, message: `${endpoint}: download failed: ${redact(err.message)}`, cause: err })));
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
  return new Kind({ endpoint, status, body: parsed, transient: status >= 500 || status === 429, message: describeHttpError(status, endpoint, parsed) });
}

/** Counts bytes (compressed, then inflated) and gunzips when the first bytes are the gzip magic. */
function limitAndInflate(body: Readable, opts: DownloadOptions, endpoint: string): Readable {
  const tooBig = (what: string, limit: number) => new IntercomApiError({ endpoint, transient: false, message: `${endpoint}: the export file is larger than ${limit} bytes ${what}; export shorter windows (reporting_window_days).` });
  let raw = 0;
  let sniffed: boolean | undefined;
  const gunzip = createGunzip();
  let inflated = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      raw += chunk.length;
      if (raw > opts.maxBytes) return done(tooBig('compressed', opts.maxBytes));
      done(null, chunk);
    },
  });
  const output = new Transform({
    transform(chunk: Buffer, _enc, done) {
      inflated += chunk.length;
      if (inflated > opts.maxInflatedBytes) return done(tooBig('decompressed', opts.maxInflatedBytes));
      done(null, chunk);
    },
  });
  const fail = (err: Error) => output.destroy(err instanceof IntercomApiError ? err : new IntercomApiError({ endpoint, transient: true, message: `${endpoint}: download broke off: ${redact(err.message)}`, cause: err }));
  body.once('error', fail);
  counter.once('error', fail);
  gunzip.once('error', (err) => fail(new IntercomApiError({ endpoint, transient: true, message: `${endpoint}: the gzip file is damaged or cut short (${err.message})` })));
  counter.once('data', (first: Buffer) => {
    sniffed = first[0] === 0x1f && first[1] === 0x8b;
    counter.pause();
    counter.unshift(first);
    if (sniffed) counter.pipe(gunzip).pipe(output);
    else counter.pipe(output);
  });
  counter.once('end', () => {
    if (sniffed === undefined) output.end();
  });
  output.once('close', () => body.destroy());
  body.pipe(counter);
  return output;
}
