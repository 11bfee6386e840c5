/**
 * Control endpoints under /__fake/ (no auth, not counted, not rate-limited): stats, ground truth,
 * the virtual clock, faults and mutations, for tests that run the fake in another process.
 */
import type http from 'node:http';
import { readBody } from './responder.js';
import type { FakeStats, FaultRule, GroundTruth, MutateEvery, MutationResult, MutationSpec } from './types.js';

/** What the control endpoints act on (the server's handle). */
export interface Controllable {
  stats: FakeStats;
  groundTruth(): GroundTruth;
  now(): number;
  setFaults(rules: FaultRule[]): void;
  mutate(spec: MutationSpec): MutationResult;
  setMutateEvery(m: MutateEvery | null): void;
  resetStats(): void;
  advanceTime(seconds: number): number;
}

type Reply = [status: number, payload: unknown];

function post(handle: Controllable, path: string, body: unknown): Reply {
  switch (path) {
    case '/__fake/faults':
      if (!Array.isArray(body)) return [400, { error: 'body must be an array of FaultRule' }];
      handle.setFaults(body as FaultRule[]);
      return [200, { ok: true, faults: body.length }];
    case '/__fake/mutate':
      if (typeof body !== 'object' || body === null) return [400, { error: 'body must be a MutationSpec' }];
      return [200, handle.mutate(body as MutationSpec)];
    case '/__fake/mutate-every':
      handle.setMutateEvery(body === null ? null : (body as MutateEvery));
      return [200, { ok: true }];
    case '/__fake/reset-stats':
      handle.resetStats();
      return [200, { ok: true }];
    case '/__fake/advance-time': {
      const secs = (body as { seconds?: unknown } | null)?.seconds;
      if (typeof secs !== 'number') return [400, { error: 'body must be {"seconds": number}' }];
      return [200, { now: handle.advanceTime(secs) }];
    }
    default:
      return [404, { error: `unknown control endpoint POST ${path}` }];
  }
}

function answer(handle: Controllable, method: string, path: string, body: unknown): Reply {
  if (method === 'GET' && path === '/__fake/stats') return [200, handle.stats];
  if (method === 'GET' && path === '/__fake/ids') return [200, handle.groundTruth()];
  if (method === 'GET' && path === '/__fake/now') return [200, { now: handle.now() }];
  if (method === 'POST') return post(handle, path, body);
  return [404, { error: `unknown control endpoint ${method} ${path}` }];
}

export async function handleControl(
  handle: Controllable,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  path: string,
): Promise<void> {
  const raw = await readBody(req);
  let body: unknown = null;
  try {
    body = raw ? (JSON.parse(raw) as unknown) : null;
  } catch {
    res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'invalid JSON' }));
    return;
  }
  let reply: Reply;
  try {
    reply = answer(handle, req.method ?? 'GET', path, body);
  } catch (e) {
    reply = [400, { error: e instanceof Error ? e.message : String(e) }];
  }
  const txt = JSON.stringify(reply[1]);
  res
    .writeHead(reply[0], {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(txt)),
    })
    .end(txt);
}
