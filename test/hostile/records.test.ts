import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cur, startFakeIntercom, type FakeIntercom, type FaultRule } from '../../src/fake-intercom/index.js';
import { assertAirbyteMessage } from '../helpers/protocol.js';
import { BIN, type CliRun, lastStates, recordsOf, runCli, writeJsonFiles } from '../helpers/run-cli.js';
import { keysOf, sorted } from '../e2e/keys.js';

/**
 * Hostile records and refused parents, against the real connector process: no crash, a non-zero
 * exit naming what was skipped, the other streams complete, a STATE that stops before the gap,
 * and the next run delivers what was skipped.
 */
const TOKEN = 'hostile-records-token-7d1e2f3a4b';
const FULL = ['admins', 'companies'];
const STREAMS = [
  'admins',
  'contacts',
  'contact_tag',
  'companies',
  'conversations',
  'conversation_parts',
  'tickets',
  'ticket_parts',
];

let fake: FakeIntercom;
let files: Record<string, string>;

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 14,
    token: TOKEN,
    size: { contacts: 80, companies: 12, conversations: 40, tickets: 6, largeConversations: 0, largeTickets: 0 },
    latencyMs: 1,
  });
  files = writeJsonFiles({
    config: { access_token: TOKEN, base_url: fake.url, request_timeout_seconds: 5, max_retries: 2, max_concurrency: 4 },
    catalog: {
      streams: STREAMS.map((name) => ({
        stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
        sync_mode: FULL.includes(name) ? 'full_refresh' : 'incremental',
        destination_sync_mode: 'append_dedup',
      })),
    },
  });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => fake.setFaults([]));

async function read(state?: unknown): Promise<CliRun> {
  const extra = state === undefined ? [] : ['--state', writeJsonFiles({ state }).state!];
  const run = await runCli(BIN.airbyte, ['read', '--config', files.config!, '--catalog', files.catalog!, ...extra], {
    timeoutMs: 90_000,
  });
  for (const line of run.lines) assertAirbyteMessage(line);
  return run;
}

type Trace = {
  type: string;
  error?: { message: string; failure_type: string; stream_descriptor?: { name: string } };
  stream_status?: { stream_descriptor: { name: string }; status: string };
};
const traces = (run: CliRun) => run.messages.filter((m) => m.type === 'TRACE').map((m) => m.trace as Trace);
const errorsOf = (run: CliRun) => traces(run).flatMap((t) => (t.type === 'ERROR' ? [t.error!] : []));
const logs = (run: CliRun) =>
  run.messages.filter((m) => m.type === 'LOG').map((m) => m.log as { level: string; message: string });
function finalStatus(run: CliRun): Map<string, string> {
  const status = new Map<string, string>();
  for (const t of traces(run))
    if (t.type === 'STREAM_STATUS') status.set(t.stream_status!.stream_descriptor.name, t.stream_status!.status);
  return status;
}
function lastCursor(run: CliRun, stream: string): number {
  const state = lastStates(run).find(
    (s) => (s as { stream: { stream_descriptor: { name: string } } }).stream.stream_descriptor.name === stream,
  ) as { stream: { stream_state: { updated_at: number } } };
  return state.stream.stream_state.updated_at;
}
function expectNoCrash(run: CliRun): void {
  expect(run.signal).toBeNull();
  expect(run.stderr).not.toMatch(/Unhandled|TypeError|at .*\.js:\d+/);
  expect(run.messages.some((m) => '__unparsable' in m)).toBe(false);
}
const truth = () => fake.groundTruth() as unknown as Record<string, string[]>;
const serverUpdatedAt = (stream: 'contacts' | 'conversations', id: string) =>
  cur(fake.workspace.recordsOf(stream).find((r) => r.id === id)!).updated_at as number;

describe("a non-404 4xx on one parent's detail", () => {
  it('two concurrent GET /conversations/{id} answered 422: both skipped and named, the rest delivered, other streams complete, the next run delivers them', async () => {
    fake.setFaults([{ route: '^GET /conversations/[^/]+$', kind: 'status', status: 422, times: 2 }]);
    const run = await read();
    expectNoCrash(run);
    expect(run.code).toBe(1);
    expect(fake.stats.faultsInjected).toBe(2);

    const skipped = logs(run).flatMap(
      (l) => /^PARENT_SKIPPED conversations: conversation (\S+) skipped/.exec(l.message)?.[1] ?? [],
    );
    expect(skipped).toHaveLength(2);
    const errors = errorsOf(run);
    expect(errors).toHaveLength(1);
    for (const id of skipped) expect(errors[0]!.message).toContain(`conversation ${id} skipped`);
    expect(errors[0]!.stream_descriptor?.name).toBe('conversations');

    // Everything else of the stream is delivered; the skipped ones are not (they come whole next time).
    const delivered = new Set(keysOf(run, 'conversations'));
    expect(sorted(delivered)).toEqual(sorted(truth().conversations!.filter((id) => !skipped.includes(id))));
    const partsOf = new Set(recordsOf(run, 'conversation_parts').map((p) => String(p.conversation_id)));
    for (const id of skipped) expect(partsOf.has(id)).toBe(false);

    const status = finalStatus(run);
    for (const stream of ['conversations', 'conversation_parts']) expect(status.get(stream), stream).toBe('INCOMPLETE');
    for (const stream of ['admins', 'contacts', 'contact_tag', 'companies', 'tickets', 'ticket_parts'])
      expect(status.get(stream), stream).toBe('COMPLETE');
    for (const stream of ['contacts', 'companies', 'tickets'])
      expect(sorted(new Set(keysOf(run, stream))), stream).toEqual(sorted(truth()[stream]!));

    // The STATE stops before the skipped conversations, so the next sync reads them again.
    const cursor = lastCursor(run, 'conversations');
    for (const id of skipped) expect(cursor).toBeLessThanOrEqual(serverUpdatedAt('conversations', id));

    fake.setFaults([]);
    const next = await read(lastStates(run));
    expect(next.code, next.stderr).toBe(0);
    const nextIds = new Set(keysOf(next, 'conversations'));
    for (const id of skipped) expect(nextIds.has(id), id).toBe(true);
    expect(sorted(new Set(keysOf([run, next], 'conversation_parts')))).toEqual(sorted(truth().conversation_parts!));
  });

  it("a 422 on a ticket's detail skips that ticket only", async () => {
    fake.setFaults([{ route: '^GET /tickets/[^/]+$', kind: 'status', status: 422, times: 1 }]);
    const run = await read();
    expectNoCrash(run);
    expect(run.code).toBe(1);
    const skipped = logs(run).flatMap(
      (l) => /^PARENT_SKIPPED tickets: ticket (\S+) skipped/.exec(l.message)?.[1] ?? [],
    );
    expect(skipped).toHaveLength(1);
    expect(sorted(new Set(keysOf(run, 'tickets')))).toEqual(sorted(truth().tickets!.filter((id) => id !== skipped[0])));
    expect(finalStatus(run).get('tickets')).toBe('INCOMPLETE');
    expect(finalStatus(run).get('conversations')).toBe('COMPLETE');
    const next = await read(lastStates(run));
    expect(next.code).toBe(0);
    expect(keysOf(next, 'tickets')).toContain(skipped[0]);
  });
});

describe('malformed contacts in the search answer', () => {
  it('null items, a record without its id and an unreadable updated_at: reported, never emitted invalid, the state held, the next run delivers', async () => {
    const ids = sorted(truth().contacts!);
    const [noCursor, noId, isoCursor] = [ids[3]!, ids[7]!, ids[11]!];
    const rules: FaultRule[] = [
      {
        route: 'POST /contacts/search',
        kind: 'records',
        times: -1,
        records: [
          { ids: [noCursor], set: { updated_at: 'NaN' } },
          { ids: [isoCursor], set: { updated_at: '2024-05-01T10:00:00Z' } },
          { ids: [noId], unset: ['id'] },
          { nulls: 1 },
        ],
      },
    ];
    fake.setFaults(rules);
    const run = await read();
    expectNoCrash(run);
    expect(run.code).toBe(1);

    const contacts = recordsOf(run, 'contacts');
    // No null RECORD, no record without its key.
    for (const c of contacts) expect(typeof c.id).toBe('string');
    const byId = new Map(contacts.map((c) => [String(c.id), c]));
    expect(byId.has(noId)).toBe(false);
    expect(sorted(byId.keys())).toEqual(ids.filter((id) => id !== noId));
    // Emitted once each, valid against the schema (an integer cursor or none).
    expect(contacts.filter((c) => c.id === noCursor)).toHaveLength(1);
    expect('updated_at' in byId.get(noCursor)!).toBe(false);
    expect(byId.get(isoCursor)!.updated_at).toBe(Date.UTC(2024, 4, 1, 10) / 1000);

    const warnings = logs(run)
      .map((l) => l.message)
      .join('\n');
    expect(warnings).toContain(`CURSOR_UNREADABLE contacts: record ${noCursor} has updated_at "NaN"`);
    expect(warnings).toMatch(/KEY_MISSING contacts: a record without its id \(position \d+ of a search page/);
    expect(warnings).toMatch(/NULL_ITEMS contacts: .*1 of \d+ list items were not objects/);
    expect(errorsOf(run).map((e) => e.stream_descriptor?.name)).toEqual(['contacts']);
    expect(finalStatus(run).get('contacts')).toBe('INCOMPLETE');
    expect(finalStatus(run).get('conversations')).toBe('COMPLETE');

    // The state never passes a contact that was not delivered or whose cursor could not be read.
    const cursor = lastCursor(run, 'contacts');
    expect(cursor).toBeLessThanOrEqual(serverUpdatedAt('contacts', noId));
    expect(cursor).toBeLessThanOrEqual(serverUpdatedAt('contacts', noCursor));

    fake.setFaults([]);
    const next = await read(lastStates(run));
    expect(next.code, next.stderr).toBe(0);
    const again = new Map(recordsOf(next, 'contacts').map((c) => [String(c.id), c]));
    expect(again.get(noId)?.updated_at).toBe(serverUpdatedAt('contacts', noId));
    expect(again.get(noCursor)?.updated_at).toBe(serverUpdatedAt('contacts', noCursor));
  });
});

describe('ids from Intercom that are no path segment', () => {
  it('a conversation whose id is `..` or `%2e%2e` is never requested (no other endpoint reached): skipped and named, the rest delivered', async () => {
    const ids = sorted(truth().conversations!);
    const [dots, encoded] = [ids[2]!, ids[5]!];
    fake.setFaults([
      {
        route: 'POST /conversations/search',
        kind: 'records',
        times: -1,
        records: [
          { ids: [dots], set: { id: '..' } },
          { ids: [encoded], set: { id: '%2e%2e' } },
        ],
      },
    ]);
    fake.resetStats();
    const run = await read();
    expectNoCrash(run);
    expect(run.code).toBe(1);
    // Only the routes the streams read: nothing resolved to `/`, `/conversations` or another endpoint.
    const routes = Object.keys(fake.stats.byRoute);
    for (const route of routes)
      expect(route, route).toMatch(
        /^(GET \/admins|GET \/companies\/scroll|POST \/(contacts|conversations|tickets)\/search|GET \/(conversations|tickets|contacts)\/\{id\}(\/\w+)?)$/,
      );
    expect(fake.stats.byRoute['GET /conversations/{id}']).toBe(ids.length - 2);
    const skipped = logs(run).flatMap(
      (l) => /^PARENT_SKIPPED conversations: conversation (\S+) skipped: (.*)$/.exec(l.message)?.slice(1, 3) ?? [],
    );
    expect(skipped.filter((_, i) => i % 2 === 0).sort()).toEqual(['%2e%2e', '..']);
    for (const why of skipped.filter((_, i) => i % 2 === 1))
      expect(why).toMatch(/the id Intercom returned .*so it was not requested/);
    expect(sorted(new Set(keysOf(run, 'conversations')))).toEqual(ids.filter((id) => id !== dots && id !== encoded));
    expect(finalStatus(run).get('conversations')).toBe('INCOMPLETE');
    expect(finalStatus(run).get('tickets')).toBe('COMPLETE');
  });
});

describe('malformed companies in the scroll', () => {
  it('a company without its id and a null item: reported, not emitted, the companies state not advanced; the next run delivers it', async () => {
    const ids = sorted(truth().companies!);
    const noId = ids[4]!;
    fake.setFaults([
      {
        route: 'GET /companies/scroll',
        kind: 'records',
        times: -1,
        records: [{ ids: [noId], unset: ['id'] }, { nulls: 1 }],
      },
    ]);
    const run = await read();
    expectNoCrash(run);
    expect(run.code).toBe(1);
    const companies = recordsOf(run, 'companies');
    for (const c of companies) expect(typeof c.id).toBe('string');
    expect(sorted(new Set(companies.map((c) => String(c.id))))).toEqual(ids.filter((id) => id !== noId));
    const warnings = logs(run)
      .map((l) => l.message)
      .join('\n');
    expect(warnings).toMatch(/KEY_MISSING companies: a record without its id/);
    expect(warnings).toMatch(/NULL_ITEMS companies: .*1 of \d+ list items were not objects/);
    expect(finalStatus(run).get('companies')).toBe('INCOMPLETE');
    expect(finalStatus(run).get('admins')).toBe('COMPLETE');
    // No companies STATE claims the walk: the next sync reads every company again.
    const companyState = lastStates(run).find(
      (s) => (s as { stream: { stream_descriptor: { name: string } } }).stream.stream_descriptor.name === 'companies',
    ) as { stream: { stream_state: Record<string, unknown> } } | undefined;
    expect(companyState?.stream.stream_state.updated_at).toBeUndefined();
    fake.setFaults([]);
    const next = await read(lastStates(run));
    expect(next.code, next.stderr).toBe(0);
    expect(keysOf(next, 'companies')).toContain(noId);
  });
});

describe('malformed items in a plain list (the generic list reader)', () => {
  it('an admin without its id and a null item: reported, not emitted, admins INCOMPLETE; the next run delivers it', async () => {
    const ids = sorted(truth().admins!);
    const noId = ids[1]!;
    fake.setFaults([
      { route: 'GET /admins', kind: 'records', times: -1, records: [{ ids: [noId], unset: ['id'] }, { nulls: 1 }] },
    ]);
    const run = await read();
    expectNoCrash(run);
    expect(run.code).toBe(1);
    const admins = recordsOf(run, 'admins');
    for (const a of admins) expect(typeof a.id).toBe('string');
    expect(sorted(new Set(admins.map((a) => String(a.id))))).toEqual(ids.filter((id) => id !== noId));
    const warnings = logs(run)
      .map((l) => l.message)
      .join('\n');
    expect(warnings).toMatch(/KEY_MISSING admins: a record without its id \(1 on a page of GET \/admins\)/);
    expect(warnings).toMatch(/NULL_ITEMS admins: .*1 of \d+ list items were not objects/);
    expect(finalStatus(run).get('admins')).toBe('INCOMPLETE');
    expect(finalStatus(run).get('companies')).toBe('COMPLETE');
    fake.setFaults([]);
    const next = await read();
    expect(next.code, next.stderr).toBe(0);
    expect(keysOf(next, 'admins')).toContain(noId);
  });
});
