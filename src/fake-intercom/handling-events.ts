/**
 * GET /conversations/{id}/handling_events (Intercom API 2.15): the pause/resume events of a
 * conversation, `{handling_events: [{teammate, type, timestamp (ISO 8601), reason}]}` as the 2.15
 * OpenAPI's `handling_event_list` example shows. Every third conversation with an assigned
 * teammate has a pause and a resume; tests can add events (an event changes the conversation, so
 * they also bump its updated_at through the workspace's own mutation helpers).
 */
import { cur, type ConversationCore, type Json, type Workspace } from './workspace.js';

export interface FakeHandlingEvent {
  teammate: { type: 'admin'; id: number; name: string; email: string };
  type: 'paused' | 'resumed';
  timestamp: string;
  reason?: string | null;
}

const extra = new WeakMap<Workspace, Map<string, FakeHandlingEvent[]>>();

/** Events a test added, by conversation id (they follow the generated ones). */
export function addedHandlingEvents(ws: Workspace): Map<string, FakeHandlingEvent[]> {
  let m = extra.get(ws);
  if (!m) extra.set(ws, (m = new Map()));
  return m;
}

export function handlingEventsOf(ws: Workspace, c: ConversationCore): FakeHandlingEvent[] {
  const out: FakeHandlingEvent[] = [];
  const admin = c.adminAssignee !== null ? ws.admins[c.adminAssignee] : undefined;
  if (admin && c.idx % 3 === 0) {
    const teammate = { type: 'admin' as const, id: Number(admin.id), name: admin.name, email: admin.email };
    const at = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
    out.push({
      teammate,
      type: 'paused',
      timestamp: at(c.created_at + 60),
      reason: c.idx % 2 === 0 ? 'Paused' : 'Away, at lunch — café',
    });
    out.push({ teammate, type: 'resumed', timestamp: at(c.created_at + 600) });
  }
  return [...out, ...(addedHandlingEvents(ws).get(c.id) ?? [])];
}

type Register = (
  method: string,
  template: string,
  handler: (ctx: unknown, params: string[]) => { status: number; body: Json },
) => void;

export function registerHandlingEvents(r: Register, ws: Workspace): void {
  r('GET', '/conversations/{id}/handling_events', (_c, [id]): { status: number; body: Json } => {
    const conv = ws.conversationById.get(id!);
    if (!conv || cur(conv).deleted)
      return {
        status: 404,
        body: {
          type: 'error.list',
          request_id: 'fake-handling',
          errors: [{ code: 'not_found', message: 'Conversation Not Found' }],
        },
      };
    return { status: 200, body: { handling_events: handlingEventsOf(ws, conv) as unknown as Json[] } };
  });
}
