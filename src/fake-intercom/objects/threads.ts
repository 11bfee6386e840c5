/**
 * What conversations and tickets share: their times, participants, parts (generated parts come
 * from the seed and are never stored; parts added by mutations are) and part authors.
 */
import { DAY } from '../clock.js';
import {
  PART_CAP,
  cur,
  type AdminCore,
  type ContactCore,
  type Json,
  type ThreadCore,
  type VersionEntry,
} from '../model.js';
import type { Rng } from '../rng.js';
import type { WorkspaceState } from '../state.js';
import type { TimeSpreader } from '../vocabulary.js';

/** Created and updated time of a generated thread (spread over the last days) or one created `at`. */
export function threadTimes(
  ws: WorkspaceState,
  r: Rng,
  spread: TimeSpreader | null,
  at: number | null,
  maxSpanDays: number,
): { created: number; updated: number } {
  if (!spread) return { created: at as number, updated: at as number };
  const updated = spread.ts(r);
  const created = r.chance(0.15) ? updated : Math.max(ws.genNow - 450 * DAY, updated - r.int(60, maxSpanDays * DAY));
  return { created, updated };
}

/** Up to `n` distinct alive contacts, picked at random. */
export function pickContacts(ws: WorkspaceState, r: Rng, n: number): number[] {
  const alive = ws.contacts.length;
  if (alive === 0) return [];
  const out: number[] = [];
  for (let tries = 0; out.length < n && tries < n * 10; tries++) {
    const i = r.int(0, alive - 1);
    const c = ws.contacts[i] as ContactCore;
    if (!cur(c).deleted && !out.includes(i)) out.push(i);
  }
  return out;
}

/** Parts of a thread as of version `v`: generated ones plus those added up to that revision. */
export function partCount(t: ThreadCore, v: VersionEntry = cur(t)): number {
  let n = t.baseParts;
  for (const e of t.extraParts) if (e.rev <= v.rev) n++;
  return n;
}

export function basePartTime(t: ThreadCore, p: number): number {
  return t.created_at + Math.floor(((t.baseEnd - t.created_at) * (p + 1)) / t.baseParts);
}

export function partId(kind: 'conversation' | 'ticket', t: ThreadCore, p: number): string {
  return String((kind === 'conversation' ? 10_000_000_000 : 50_000_000_000) + t.idx * 10_000 + p);
}

/** Index range of the retrievable (500 most recent) parts. */
export function retrievableRange(t: ThreadCore): [number, number] {
  const n = partCount(t);
  return [Math.max(0, n - PART_CAP), n];
}

export function contactAuthor(ws: WorkspaceState, idx: number): Json {
  const c = ws.contacts[idx] as ContactCore;
  return { type: 'user', id: c.id, name: c.name, email: c.email };
}

export function adminAuthor(ws: WorkspaceState, idx: number): Json {
  const a = ws.admins[idx] as AdminCore;
  return { type: 'admin', id: a.id, name: a.name, email: a.email };
}

export function botAuthor(ws: WorkspaceState): Json {
  return {
    type: 'bot',
    id: '0',
    name: 'Fin',
    email: `operator+${ws.appId}@intercom.io`,
    from_ai_agent: true,
    is_ai_answer: false,
  };
}
