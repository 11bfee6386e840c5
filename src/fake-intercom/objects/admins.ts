/**
 * Admins, teams, the token's own admin (`/me`) and admin activity logs: their generated data,
 * their rendering and the routes that are not plain lists (the plain lists are simple-lists.ts).
 */
import { DAY } from '../clock.js';
import { ApiError, type RequestContext, type RouteResult } from '../http.js';
import type { ActivityLogCore, AdminCore, Json, TeamCore } from '../model.js';
import { rngFor } from '../rng.js';
import { intParam, ok, type Router } from '../router.js';
import { shapedPage } from '../shapes.js';
import type { WorkspaceState } from '../state.js';
import { ACTIVITY_TYPES, FIRST, LAST, WORDS } from '../vocabulary.js';

export function generateAdmins(ws: WorkspaceState): void {
  for (let i = 0; i < ws.size.admins; i++) {
    const first = FIRST[i % FIRST.length] as string;
    const last = LAST[(i * 7 + 3) % LAST.length] as string;
    ws.admins.push({
      idx: i,
      id: String(991_267_000 + i),
      name: `${first} ${last}`,
      email: `${first}.${last}${i}@${ws.appId}.example.com`.toLowerCase(),
      teamIdxs: [],
    });
  }
}

export function generateTeams(ws: WorkspaceState): void {
  const { seed, size } = ws;
  for (let t = 0; t < size.teams; t++) {
    const r = rngFor(seed, 'team', t);
    const adminIdxs = r.sample(size.admins, Math.min(size.admins, r.int(1, 4))).sort((a, b) => a - b);
    ws.teams.push({
      idx: t,
      id: String(5_017_000 + t),
      name: `Team ${WORDS[t % WORDS.length]} ${t + 1}`,
      adminIdxs,
    });
    for (const a of adminIdxs) ws.admins[a]?.teamIdxs.push(t);
  }
}

export function generateActivityLogs(ws: WorkspaceState): void {
  const { size } = ws;
  const lr = rngFor(ws.seed, 'activity');
  for (let a = 0; a < size.activityLogs; a++) {
    const kind = lr.int(0, ACTIVITY_TYPES.length - 1);
    ws.activityLogs.push({
      id: lr.uuid(),
      created_at: ws.genNow - lr.int(0, 400 * DAY),
      adminIdx: size.admins > 0 ? lr.int(0, size.admins - 1) : 0,
      activity_type: ACTIVITY_TYPES[kind] as string,
      kind,
    });
  }
  ws.activityLogs.sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? -1 : 1));
}

export function adminRef(ws: WorkspaceState, idx: number): Json {
  const a = ws.admins[idx] as AdminCore;
  return { type: 'admin', id: a.id };
}

export function renderAdmin(ws: WorkspaceState, a: AdminCore): Json {
  const r = rngFor(ws.seed, 'admin', a.idx);
  const teamId = (t: number): number => Number((ws.teams[t] as TeamCore).id);
  return {
    type: 'admin',
    id: a.id,
    name: a.name,
    email: a.email,
    job_title: r.pick(['Support Engineer', 'Success Manager', 'Founder', 'Support Lead']),
    away_mode_enabled: a.idx % 5 === 4,
    away_mode_reassign: false,
    away_status_reason_id: null,
    has_inbox_seat: a.idx % 6 !== 5,
    team_ids: a.teamIdxs.map(teamId),
    avatar: a.idx % 2 === 0 ? `https://static.intercomassets.test/avatars/${a.id}/square_128/avatar.png` : null,
    team_priority_level: {
      primary_team_ids: a.teamIdxs.slice(0, 1).map(teamId),
      secondary_team_ids: a.teamIdxs.slice(1).map(teamId),
    },
  };
}

export function renderMe(ws: WorkspaceState): Json {
  const a = ws.admins[0];
  const app: Json = {
    type: 'app',
    id_code: ws.appId,
    name: ws.appName,
    region: 'US',
    timezone: 'UTC',
    created_at: ws.genNow - 900 * DAY,
    identity_verification: false,
  };
  if (!a) return { type: 'admin', id: '0', name: 'Nobody', email: 'nobody@example.com', app };
  const full = renderAdmin(ws, a);
  return {
    type: 'admin',
    id: a.id,
    email: a.email,
    name: a.name,
    job_title: full['job_title'] as string,
    away_mode_enabled: false,
    away_mode_reassign: false,
    has_inbox_seat: true,
    team_ids: full['team_ids'] as number[],
    avatar: { type: 'avatar', image_url: null },
    email_verified: true,
    app,
  };
}

export function renderTeam(ws: WorkspaceState, t: TeamCore): Json {
  const ids = t.adminIdxs.map((a) => Number((ws.admins[a] as AdminCore).id));
  return {
    type: 'team',
    id: t.id,
    name: t.name,
    admin_ids: ids,
    admin_priority_level: { primary_admin_ids: ids.slice(0, 1), secondary_admin_ids: ids.slice(1) },
    assignment_limit: t.idx % 2 === 0 ? null : 20,
    distribution_method: t.idx % 2 === 0 ? 'round_robin' : 'balanced',
  };
}

/** The metadata and description an activity of each type carries (null metadata for the others). */
function activityDetails(
  ws: WorkspaceState,
  l: ActivityLogCore,
  name: string,
): { metadata: Json | null; desc: string } {
  const desc = `${name} performed ${l.activity_type.replace(/_/g, ' ')}.`;
  switch (l.activity_type) {
    case 'admin_login_success':
      return { metadata: { sign_in_method: 'email_password' }, desc: `${name} logged in.` };
    case 'admin_away_mode_change':
      return { metadata: { away_mode: l.kind % 2 === 0, reassign_conversations: false }, desc };
    case 'app_name_change':
      return {
        metadata: { before: { name: 'Old name' }, after: { name: ws.appName } },
        desc: `${name} changed your app name from Old name to ${ws.appName}.`,
      };
    case 'admin_assignment_limit_change':
      return { metadata: { conversation_assignment_limit: 20, ticket_assignment_limit: 10 }, desc };
    default:
      return { metadata: null, desc };
  }
}

export function renderActivityLog(ws: WorkspaceState, l: ActivityLogCore): Json {
  const a = ws.admins[l.adminIdx];
  const { metadata, desc } = activityDetails(ws, l, a?.name ?? 'Someone');
  return {
    id: l.id,
    performed_by: {
      type: 'admin',
      id: a?.id ?? '0',
      email: a?.email ?? 'nobody@example.com',
      ip: `10.0.${l.kind}.${l.created_at % 250}`,
    },
    metadata,
    created_at: l.created_at,
    activity_type: l.activity_type,
    activity_description: desc,
  };
}

/** The created_at window of an activity log request (both bounds inclusive), checked like Intercom does. */
function activityWindow(api: Router, c: RequestContext): { after: number; before: number } {
  const afterRaw = c.query.get('created_at_after');
  if (afterRaw === null || afterRaw === '')
    throw new ApiError(400, 'parameter_not_found', 'created_at_after is a required parameter', 'created_at_after');
  if (!/^\d+$/.test(afterRaw))
    throw new ApiError(400, 'parameter_invalid', 'created_at_after must be a UNIX timestamp', 'created_at_after');
  const beforeRaw = c.query.get('created_at_before');
  if (beforeRaw !== null && !/^\d+$/.test(beforeRaw))
    throw new ApiError(400, 'parameter_invalid', 'created_at_before must be a UNIX timestamp', 'created_at_before');
  const after = Number(afterRaw);
  const before = beforeRaw === null ? api.ws.clock.now() : Number(beforeRaw);
  if (before - after > api.opts.activityLogMaxWindowDays * DAY) {
    // Mimics the 500s Intercom answers for wide windows.
    throw new ApiError(
      500,
      'server_error',
      'Request failed due to an internal error. Please try again with a narrower created_at range.',
    );
  }
  return { after, before };
}

/** GET /admins/activity_logs: newest first, `pages.next = {per_page, starting_after}` until the end. */
function activityLogs(api: Router, c: RequestContext): RouteResult {
  const { ws } = api;
  const { after, before } = activityWindow(api, c);
  const all = ws.activityLogs.filter((l) => l.created_at >= after && l.created_at <= before);
  if (api.opts.shapes) {
    return shapedPage(
      c,
      api.opts.shapes,
      all.map((l) => renderActivityLog(ws, l)),
      { path: '/admins/activity_logs', type: 'activity_log.list', key: 'activity_logs' },
    );
  }
  const perPage = intParam(c.query, 'per_page', 20, 1, 150, true);
  let offset = 0;
  const sa = c.query.get('starting_after');
  if (sa) {
    const m = /^al1\.(\d+)$/.exec(Buffer.from(sa, 'base64url').toString('utf8'));
    if (!m) throw new ApiError(400, 'parameter_invalid', 'Invalid starting_after', 'starting_after');
    offset = Number(m[1]);
  } else if (c.query.get('page')) {
    offset = (intParam(c.query, 'page', 1, 1, null, false) - 1) * perPage;
  }
  const hasMore = offset + perPage < all.length;
  return ok({
    type: 'activity_log.list',
    pages: {
      type: 'pages',
      next: hasMore
        ? { per_page: perPage, starting_after: Buffer.from(`al1.${offset + perPage}`).toString('base64url') }
        : null,
      page: Math.floor(offset / perPage) + 1,
      per_page: perPage,
      total_pages: Math.ceil(all.length / perPage),
    },
    activity_logs: all.slice(offset, offset + perPage).map((l) => renderActivityLog(ws, l)),
  });
}

export function registerAdminRoutes(api: Router): void {
  const { ws } = api;
  api.route('GET', '/me', () => ok(renderMe(ws)));
  api.route('GET', '/admins/activity_logs', (c) => activityLogs(api, c));
  api.route('GET', '/admins/{id}', (_c, [id]) => {
    const a = ws.admins.find((x) => x.id === id);
    if (!a) throw new ApiError(404, 'not_found', 'Admin not found');
    return ok(renderAdmin(ws, a));
  });
}
