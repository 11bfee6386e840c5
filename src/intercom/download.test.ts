import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSourceConfig } from '../config/source-config.js';
import { DownloadNotFoundError, downloadUrl, openDownload } from './download.js';

const TOKEN = 'download-test-token-42';
let base: string;
/** What the server sends for each path: the body in pieces (each its own write), or a status. */
const answers = new Map<string, Buffer[] | number>();
const seenAuth: (string | undefined)[] = [];
const server = http.createServer((req, res) => {
  seenAuth.push(req.headers.authorization);
  const answer = answers.get(req.url ?? '');
  if (typeof answer === 'number' || answer === undefined) {
    res
      .writeHead(typeof answer === 'number' ? answer : 404, { 'content-type': 'application/json' })
      .end(JSON.stringify({ type: 'error.list', errors: [{ code: 'not_found', message: 'Export job not found' }] }));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  const pieces = [...answer];
  const next = () => {
    const piece = pieces.shift();
    if (!piece) return res.end();
    res.write(piece, () => setTimeout(next, 2));
  };
  next();
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const settings = () => parseSourceConfig({ access_token: TOKEN, base_url: base }, {});
async function text(path: string, limits: { maxBytes?: number; maxInflatedBytes?: number } = {}): Promise<string> {
  const body = await openDownload(settings(), `${base}${path}`, {
    maxBytes: limits.maxBytes ?? 1e9,
    maxInflatedBytes: limits.maxInflatedBytes ?? 1e9,
    timeoutMs: 5000,
  });
  let out = '';
  for await (const chunk of body) out += String(chunk);
  return out;
}

const CSV = 'a,b\r\n"x, y",é\r\n'.repeat(200);

describe('export downloads', () => {
  it('gunzips even when the gzip magic arrives split over two chunks', async () => {
    const gz = gzipSync(CSV);
    answers.set('/split', [gz.subarray(0, 1), gz.subarray(1, 7), gz.subarray(7)]);
    expect(await text('/split')).toBe(CSV);
    expect(seenAuth.at(-1)).toBe(`Bearer ${TOKEN}`);
  });

  it('passes plain (not gzip) bytes through', async () => {
    answers.set('/plain', [Buffer.from(CSV)]);
    expect(await text('/plain')).toBe(CSV);
  });

  it('stops at the compressed and the decompressed size limits', async () => {
    const gz = gzipSync(CSV);
    answers.set('/big', [gz]);
    await expect(text('/big', { maxBytes: 10 })).rejects.toThrow(/larger than 10 bytes compressed/);
    await expect(text('/big', { maxInflatedBytes: 100 })).rejects.toThrow(/larger than 100 bytes decompressed/);
  });

  it('reports a damaged gzip file', async () => {
    const gz = gzipSync(CSV);
    answers.set('/cut', [gz.subarray(0, gz.length - 12)]);
    await expect(text('/cut')).rejects.toThrow(/gzip file is damaged or cut short/);
  });

  it('turns a 404 (expired link) into a DownloadNotFoundError', async () => {
    answers.set('/gone', 404);
    await expect(text('/gone')).rejects.toBeInstanceOf(DownloadNotFoundError);
  });

  it('follows a download_url only on the configured origin', () => {
    expect(
      downloadUrl({ baseUrl: base }, `${base}/download/reporting_data/j1?sig=1`, '/download/reporting_data/j1'),
    ).toBe(`${base}/download/reporting_data/j1?sig=1`);
    expect(downloadUrl({ baseUrl: base }, 'https://elsewhere.example.com/file', '/download/reporting_data/j1')).toBe(
      `${base}/download/reporting_data/j1`,
    );
    expect(downloadUrl({ baseUrl: 'https://api.intercom.io' }, '', '/download/reporting_data/j2')).toBe(
      'https://api.intercom.io/download/reporting_data/j2',
    );
  });
});
