// conversations.company (Intercom API 2.15 only): with api_version "2.15" the built CLI (Airbyte
// and Singer) delivers each conversation's company as the fake serves it (null when the
// conversation has none); with "2.14" the field is not sent and the record has no company.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cur, startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { assertAirbyteMessage, assertSingerMessage } from '../helpers/protocol.js';
import { BIN, type CliRun, recordsOf, runCli, writeJsonFiles } from '../helpers/run-cli.js';

const TOKEN = 'e2e-conversation-company-token-5c1a';
const STREAM = 'conversations';
let fake: FakeIntercom;

type Row = Record<string, unknown>;

const airbyteCatalog = {
  streams: [
    {
      stream: { name: STREAM, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
      sync_mode: 'full_refresh',
      destination_sync_mode: 'overwrite',
    },
  ],
};

const config = (apiVersion: string) => ({
  access_token: TOKEN,
  base_url: fake.url,
  start_date: '2020-01-01T00:00:00Z',
  api_version: apiVersion,
});

async function airbyteRead(apiVersion: string): Promise<CliRun> {
  const files = writeJsonFiles({ config: config(apiVersion), catalog: airbyteCatalog });
  const run = await runCli(BIN.airbyte, ['read', '--config', files.config!, '--catalog', files.catalog!], {
    timeoutMs: 120_000,
  });
  for (const line of run.lines) assertAirbyteMessage(line);
  expect(run.code, run.stderr).toBe(0);
  return run;
}

/** The Singer tap with the catalog it discovers, only conversations selected. */
async function tapRead(apiVersion: string): Promise<CliRun> {
  const files = writeJsonFiles({ config: config(apiVersion) });
  const discovered = await runCli(BIN.tap, ['--config', files.config!, '--discover']);
  expect(discovered.code, discovered.stderr).toBe(0);
  const catalog = JSON.parse(discovered.stdout) as {
    streams: { tap_stream_id: string; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[];
  };
  for (const s of catalog.streams)
    s.metadata.find((m) => m.breadcrumb.length === 0)!.metadata.selected = s.tap_stream_id === STREAM;
  const { catalog: catalogPath } = writeJsonFiles({ catalog });
  const run = await runCli(BIN.tap, ['--config', files.config!, '--catalog', catalogPath!], { timeoutMs: 120_000 });
  for (const line of run.lines) assertSingerMessage(line);
  expect(run.code, run.stderr).toBe(0);
  return run;
}

/** Conversation id -> its company as the fake serves it on 2.15 (null: none). */
function truth(): Map<string, Row | null> {
  const ws = fake.workspace;
  const out = new Map<string, Row | null>();
  for (const c of ws.conversations) {
    if (cur(c).deleted) continue;
    const co = ws.conversationCompany(c);
    out.set(c.id, co ? ws.renderCompany(co) : null);
  }
  return out;
}

function expectCompanies(rows: Row[]): void {
  const want = truth();
  expect(rows.map((r) => r.id).sort()).toEqual([...want.keys()].sort());
  for (const row of rows) expect(row.company, `conversation ${String(row.id)}`).toEqual(want.get(row.id as string));
  // Both kinds are in the workspace, so both are checked.
  expect([...want.values()].filter((c) => c === null).length).toBeGreaterThan(0);
  expect([...want.values()].filter((c) => c !== null).length).toBeGreaterThan(0);
}

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 29,
    token: TOKEN,
    size: { contacts: 30, companies: 5, conversations: 25, tickets: 0, largeConversations: 0, largeTickets: 0 },
  });
});
afterAll(async () => {
  await fake?.close();
});

describe('conversations.company through the Airbyte CLI', () => {
  it('api_version 2.15: every conversation carries its company, or null', async () => {
    expectCompanies(recordsOf(await airbyteRead('2.15'), STREAM));
  });

  it('api_version 2.14: no conversation has a company (the schema marks it 2.15 only and nullable)', async () => {
    const rows = recordsOf(await airbyteRead('2.14'), STREAM);
    expect(rows.map((r) => r.id).sort()).toEqual([...truth().keys()].sort());
    for (const row of rows) expect(row, `conversation ${String(row.id)}`).not.toHaveProperty('company');
  });
});

describe('conversations.company through the Singer tap', () => {
  it('api_version 2.15: typed in the SCHEMA message, delivered in the records', async () => {
    const run = await tapRead('2.15');
    const schema = (run.messages as Row[]).find((m) => m.type === 'SCHEMA' && m.stream === STREAM) as
      { schema: { properties: Record<string, { type: string[]; properties?: Record<string, unknown> }> } } | undefined;
    const company = schema!.schema.properties.company!;
    expect(company.type).toEqual(['null', 'object']);
    expect(Object.keys(company.properties ?? {})).toEqual(expect.arrayContaining(['id', 'name', 'updated_at']));
    expectCompanies(recordsOf(run, STREAM));
  });
});
