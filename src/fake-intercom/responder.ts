/** Writes the fake's answers: JSON bodies, error.list bodies with a request id, status counts. */
import type http from 'node:http';
import type { RouteResult } from './http.js';
import type { Json } from './model.js';
import { hash32 } from './rng.js';
import { countStatus } from './stats.js';
import type { FakeStats } from './types.js';

/** The exact body of a route's answer (hot routes hand over pre-serialized bytes). */
export const bodyText = (out: RouteResult): string | Buffer => ('bytes' in out ? out.bytes : JSON.stringify(out.body));

export const JSON_TYPE = 'application/json; charset=utf-8';

export function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export class Responder {
  private requestIdCounter = 0;

  constructor(
    private readonly seed: number,
    private readonly stats: FakeStats,
  ) {}

  requestId(): string {
    const n = ++this.requestIdCounter;
    const h = (hash32(this.seed, 'rid', n) >>> 0).toString(16).padStart(8, '0');
    return `${h}-${(n & 0xffff).toString(16).padStart(4, '0')}-4000-8000-${Date.now().toString(16).padStart(12, '0').slice(-12)}`;
  }

  errorBody(code: string, message: string, field?: string): Json {
    const err: Json = { code, message };
    if (field !== undefined) err['field'] = field;
    return { type: 'error.list', request_id: this.requestId(), errors: [err] };
  }

  count(status: string): void {
    countStatus(this.stats, status);
  }

  sendJson(res: http.ServerResponse, status: number, body: Json, headers: Record<string, string>): void {
    this.send(res, { status, body }, headers);
  }

  send(res: http.ServerResponse, out: RouteResult, headers: Record<string, string>): void {
    const status = out.status;
    if (status === 202 || status === 204) {
      // Accepted / no content: no body (POST /events).
      res.writeHead(status, headers).end();
      this.count(String(status));
      return;
    }
    const txt = bodyText(out);
    const contentType = ('bytes' in out && out.contentType) || JSON_TYPE;
    res.writeHead(status, {
      ...headers,
      'Content-Type': contentType,
      'Content-Length': String(Buffer.byteLength(txt)),
    });
    res.end(txt);
    this.count(String(status));
    if (status === 429) this.stats.rateLimited++;
  }

  /** Last resort for an unexpected error: a 500 error.list, or a dropped connection once headers are out. */
  crash(res: http.ServerResponse, e: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const txt = JSON.stringify({
      type: 'error.list',
      request_id: this.requestId(),
      errors: [{ code: 'server_error', message: e instanceof Error ? e.message : String(e) }],
    });
    res.writeHead(500, { 'Content-Type': 'application/json' }).end(txt);
    this.count('500');
  }
}
