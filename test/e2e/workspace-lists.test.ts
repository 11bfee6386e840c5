// Ticket states, away status reasons, news, internal articles, calls, Fin content, brands and
// sender emails: the built CLI (Airbyte and Singer) against the fake Intercom, compared with what
// the fake serves; a 403 on one of them fails only that stream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import {
  WORKSPACE_LIST_SIZES,
  workspaceList,
  type WorkspaceListStream,
} from '../../src/fake-intercom/workspace-lists.js';
import { assertAirbyteMessage, assertSingerMessage } from '../helpers/protocol.js';
import { BIN, type CliRun, recordsOf, runCli, writeJsonFiles } from '../helpers/run-cli.js';
import { keysOf, sorted } from './keys.js';

const TOKEN = 'e2e-workspace-lists-token-8d2f';
const STREAMS = Object.keys(WORKSPACE_LIST_SIZES) as WorkspaceListStream[];

// Parsed protocol messages (validated against the protocol schema first).
type Message = Record<string, any>;

let fake: FakeIntercom;

const airbyteCatalog = (names: readonly string[]) => ({
  streams: names.map((name) => ({
    stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh'] },
    sync_mode: 'full_refresh',
    destination_sync_mode: 'overwrite',
  })),
});

async function airbyteRead(names: readonly string[], config: Record<string, unknown> = {}): Promise<CliRun> {
  const files = writeJsonFiles({
    config: { access_token: TOKEN, base_url: fake.url, ...config },
    catalog: airbyteCatalog(names),
  });
  const run = await runCli(BIN.airbyte, ['read', '--config', files.config!, '--catalog', files.catalog!]);
  for (const line of run.lines) assertAirbyteMessage(line);
  return run;
}

const statusOf = (run: CliRun, stream: string): string | undefined =>
  (run.messages as Message[])
    .filter(
      (m) =>
        m.type === 'TRACE' &&
        m.trace.type === 'STREAM_STATUS' &&
        m.trace.stream_status.stream_descriptor.name === stream,
    )
    .at(-1)?.trace.stream_status.status;
const truthOf = (stream: WorkspaceListStream): string[] =>
  workspaceList(fake.workspace, stream).map((r) => String((r as { id: unknown }).id));

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 41,
    token: TOKEN,
    size: { contacts: 3, companies: 1, conversations: 1, tickets: 0, largeConversations: 0, largeTickets: 0 },
    latencyMs: 1,
  });
});
afterAll(async () => {
  await fake?.close();
});

describe('workspace lists through the Airbyte CLI', () => {
  let run: CliRun;
  beforeAll(async () => {
    fake.resetStats();
    run = await airbyteRead(STREAMS);
  });

  it('completes every stream', () => {
    expect(run.code, run.stderr).toBe(0);
    for (const stream of STREAMS) expect(statusOf(run, stream), stream).toBe('COMPLETE');
  });

  it.each(STREAMS)("delivers exactly the server's %s, once each", (stream) => {
    const keys = keysOf(run, stream);
    expect(keys.length).toBe(new Set(keys).size);
    expect(sorted(keys)).toEqual(sorted(truthOf(stream)));
  });

  it('keeps the values as served: non-ASCII text, nested objects, Unix-second timestamps', () => {
    const pages = recordsOf(run, 'ai_external_pages');
    expect(pages[0]).toEqual(workspaceList(fake.workspace, 'ai_external_pages')[0]);
    const news = recordsOf(run, 'news_items').find((n) => n.id === '29')!;
    expect(news.title).toBe('News #0: naïve café, "quoted", commas');
    expect(news.newsfeed_assignments).toEqual([{ newsfeed_id: 68, published_at: news.updated_at }]);
    expect(Number.isInteger(news.created_at)).toBe(true);
  });

  it('pages the paged lists (calls 25 at a time) and asks each page once', () => {
    expect(fake.stats.byRoute['GET /calls']).toBe(Math.ceil(WORKSPACE_LIST_SIZES.calls / 25));
    expect(fake.stats.byRoute['GET /ai/external_pages']).toBe(Math.ceil(WORKSPACE_LIST_SIZES.ai_external_pages / 50));
  });
});

describe('workspace lists through the Singer tap', () => {
  it("discovers them and syncs exactly the server's records", async () => {
    const files = writeJsonFiles({ config: { access_token: TOKEN, base_url: fake.url } });
    const discovered = await runCli(BIN.tap, ['--config', files.config!, '--discover']);
    expect(discovered.code, discovered.stderr).toBe(0);
    const catalog = JSON.parse(discovered.stdout) as {
      streams: { tap_stream_id: string; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[];
    };
    for (const stream of STREAMS) expect(catalog.streams.map((s) => s.tap_stream_id)).toContain(stream);
    for (const s of catalog.streams)
      s.metadata.find((m) => m.breadcrumb.length === 0)!.metadata.selected = (STREAMS as string[]).includes(
        s.tap_stream_id,
      );
    const { catalog: catalogPath } = writeJsonFiles({ catalog });
    const run = await runCli(BIN.tap, ['--config', files.config!, '--catalog', catalogPath!]);
    expect(run.code, run.stderr).toBe(0);
    for (const line of run.lines) assertSingerMessage(line);
    for (const stream of STREAMS) expect(sorted(keysOf(run, stream)), stream).toEqual(sorted(truthOf(stream)));
  });
});

describe('a missing permission on one list', () => {
  it('fails only that stream, naming the permission; the others complete', async () => {
    fake.setFaults([{ route: 'GET /calls', kind: 'status', status: 403, times: -1 }]);
    try {
      const run = await airbyteRead(['calls', 'ticket_states', 'news_items']);
      expect(run.code).toBe(1);
      expect(statusOf(run, 'calls')).toBe('INCOMPLETE');
      expect(statusOf(run, 'ticket_states')).toBe('COMPLETE');
      expect(statusOf(run, 'news_items')).toBe('COMPLETE');
      const errors = (run.messages as Message[])
        .filter((m) => m.type === 'TRACE' && m.trace.type === 'ERROR')
        .map((m) => m.trace.error);
      expect(
        errors.some(
          (e) => e.failure_type === 'config_error' && /Read conversations/.test(e.message) && /calls/.test(e.message),
        ),
      ).toBe(true);
      expect(sorted(keysOf(run, 'ticket_states'))).toEqual(sorted(truthOf('ticket_states')));
    } finally {
      fake.setFaults([]);
    }
  });
});
