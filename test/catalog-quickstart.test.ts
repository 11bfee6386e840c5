import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { airbyteCatalog, parseConfiguredAirbyteCatalog } from '../src/protocol/catalog.js';
import { STREAM_NOTES } from '../src/protocol/stream-notes.js';
import { startFakeIntercom, type FakeIntercom } from '../src/fake-intercom/index.js';
import { validateAirbyteDefinition } from './helpers/protocol.js';
import { BIN, repoRoot, runCli, writeJsonFiles } from './helpers/run-cli.js';

/** catalog.quickstart.json: the README's first real read. Core streams only, nothing costly, nothing needing extra permissions. */
const CORE = [
  'admins',
  'teams',
  'team_admin',
  'tags',
  'segments',
  'contacts',
  'contact_tag',
  'contact_company',
  'companies',
  'company_tag',
  'company_segment',
  'conversations',
  'conversation_tag',
  'conversation_parts',
  'email_address_header',
];
const quickstart = JSON.parse(readFileSync(`${repoRoot}catalog.quickstart.json`, 'utf8')) as { streams: unknown[] };

describe('catalog.quickstart.json (regenerate: npm run build && node scripts/gen-sample-catalog.mjs)', () => {
  it('is a valid ConfiguredAirbyteCatalog of the core streams and their junctions, incremental where it can be', () => {
    expect(validateAirbyteDefinition('ConfiguredAirbyteCatalog', quickstart)).toBeUndefined();
    const selected = parseConfiguredAirbyteCatalog(quickstart);
    expect(selected.map((s) => s.name).sort()).toEqual([...CORE].sort());
  });

  it('leaves out every stream discover marks as costly or needing another permission', () => {
    const flagged = Object.entries(STREAM_NOTES)
      .filter(([, note]) => /Costly|Read tickets|Read content data|Read events/.test(note))
      .map(([name]) => name);
    expect(flagged).toEqual(expect.arrayContaining(['events', 'notes', 'tickets', 'ticket_parts', 'articles']));
    for (const name of flagged) expect(CORE).not.toContain(name);
  });

  it('discover explains the costly and permission-needing streams where it offers them', () => {
    const streams = airbyteCatalog().streams as { name: string; json_schema: { description?: string } }[];
    const note = (name: string): string => streams.find((s) => s.name === name)!.json_schema.description ?? '';
    expect(note('events')).toMatch(/one request per contact/);
    expect(note('notes')).toMatch(/one request per contact/);
    expect(note('tickets')).toMatch(/Read tickets/);
    expect(note('contacts')).not.toMatch(/Costly|Needs/);
  });
});

describe('a first read with catalog.quickstart.json (built CLI against the fake Intercom)', () => {
  const TOKEN = 'quickstart-token-93c1d2e7a4';
  let fake: FakeIntercom;
  beforeAll(async () => {
    fake = await startFakeIntercom({
      seed: 21,
      token: TOKEN,
      size: { contacts: 120, companies: 20, conversations: 40, tickets: 5 },
    });
  });
  afterAll(async () => {
    await fake?.close();
  });

  it('reads the core streams and asks Intercom for no events, notes, tickets or help center', async () => {
    const files = writeJsonFiles({
      config: { credentials: { auth_type: 'access_token', access_token: TOKEN }, base_url: fake.url },
      catalog: quickstart,
    });
    const run = await runCli(BIN.airbyte, ['read', '--config', files.config!, '--catalog', files.catalog!]);
    expect(run.code, run.stderr).toBe(0);
    const streams = new Set(
      run.messages.filter((m) => m.type === 'RECORD').map((m) => (m.record as { stream: string }).stream),
    );
    for (const s of ['admins', 'contacts', 'companies', 'conversations', 'conversation_parts'])
      expect(streams).toContain(s);
    const routes = Object.keys(fake.stats.byRoute);
    expect(routes.filter((r) => /events|notes|ticket|help_center|articles|activity_logs/.test(r))).toEqual([]);
  });
});
