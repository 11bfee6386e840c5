/** Tags and segments: their generated data and rendering (their lists are simple-lists.ts). */
import { DAY } from '../clock.js';
import type { Json, SegmentCore, TagCore } from '../model.js';
import { hash32, hex8, rngFor } from '../rng.js';
import type { WorkspaceState } from '../state.js';
import { TAG_NAMES, WORDS } from '../vocabulary.js';

export function generateTags(ws: WorkspaceState): void {
  for (let t = 0; t < ws.size.tags; t++) {
    const base = TAG_NAMES[t % TAG_NAMES.length] as string;
    ws.tags.push({ idx: t, id: String(7_000_000 + t), name: t < TAG_NAMES.length ? base : `${base}-${t}` });
  }
}

export function generateSegments(ws: WorkspaceState): void {
  const { seed, genNow: now } = ws;
  for (let s = 0; s < ws.size.segments; s++) {
    const r = rngFor(seed, 'segment', s);
    const created = now - r.int(30, 600) * DAY + r.int(0, DAY - 1);
    ws.segments.push({
      idx: s,
      id: hex8(created) + hex8(hash32(seed, 'seg', s)) + hex8(s),
      name: `Segment ${s + 1}: ${WORDS[(s * 3) % WORDS.length]}`,
      created_at: created,
      updated_at: Math.min(now, created + r.int(0, 20) * DAY),
      person_type: s % 3 === 2 ? 'contact' : 'user',
    });
  }
}

export function renderTag(t: TagCore): Json {
  return { type: 'tag', id: t.id, name: t.name };
}

export function renderSegment(ws: WorkspaceState, s: SegmentCore, withCount: boolean): Json {
  const out: Json = {
    type: 'segment',
    id: s.id,
    name: s.name,
    created_at: s.created_at,
    updated_at: s.updated_at,
    person_type: s.person_type,
  };
  if (withCount) out['count'] = ws.segmentCounts()[s.idx] as number;
  return out;
}
