// handling_events (API 2.15) through the built CLI against the fake: a full read delivers every
// conversation's pause/resume events exactly; an incremental read asks only the changed
// conversations again and delivers their new events (the Intercom-Version header is checked in
// src/streams/handling-events.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addedHandlingEvents, handlingEventsOf } from '../../src/fake-intercom/handling-events.js';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { cur } from '../../src/fake-intercom/workspace.js';
import { assertAirbyteMessage } from '../helpers/protocol.js';
import { BIN, type CliRun, lastStates, recordsOf, runCli, writeJsonFiles } from '../helpers/run-cli.js';

const TOKEN = 'e2e-handling-events-token-2b9e';
const STREAM = 'handling_events';
let fake: FakeIntercom;

type Row = Record<string, unknown>;

const catalog = {
  streams: [
    {
      stream: {
        name: STREAM,
        json_schema: {},
        supported_sync_modes: ['full_refresh', 'incremental'],
        source_defined_cursor: true,
        default_cursor_field: ['updated_at'],
      },
      sync_mode: 'incremental',
      cursor_field: ['updated_at'],
      destination_sync_mode: 'append_dedup',
      primary_key: [['conversation_id'], ['index']],
    },
  ],
};

async function read(apiVersion: string, state?: unknown): Promise<CliRun> {
  const files = writeJsonFiles({
    config: { access_token: TOKEN, base_url: fake.url, start_date: '2020-01-01T00:00:00Z', api_version: apiVersion },
    catalog,
    ...(state ? { state } : {}),
  });
  const run = await runCli(
    BIN.airbyte,
    ['read', '--config', files.config!, '--catalog', files.catalog!, ...(files.state ? ['--state', files.state] : [])],
    { timeoutMs: 120_000 },
  );
  for (const line of run.lines) assertAirbyteMessage(line);
  return run;
}

/** The fake's events by key, without the cursor (the conversation's updated_at, checked apart). */
function expected(): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const c of fake.workspace.conversations) {
    if (cur(c).deleted) continue;
    handlingEventsOf(fake.workspace, c).forEach((e, index) =>
      out.set(`${c.id}/${index}`, { ...e, conversation_id: c.id, index }),
    );
  }
  return out;
}

function delivered(runs: CliRun[]): Map<string, Row> {
  const out = new Map<string, Row>();
  for (const run of runs) for (const r of recordsOf(run, STREAM)) out.set(`${r.conversation_id}/${r.index}`, r);
  return out;
}

function expectExactly(runs: CliRun[]): void {
  const want = expected();
  const got = delivered(runs);
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
  for (const [key, row] of want) {
    const { updated_at, ...rest } = got.get(key)!;
    expect(rest, key).toEqual(row);
    expect(updated_at, key).toBe(cur(fake.workspace.conversationById.get(row.conversation_id as string)!).updated_at);
  }
}

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 97,
    token: TOKEN,
    size: { contacts: 20, companies: 2, conversations: 60, tickets: 0, largeConversations: 0, largeTickets: 0 },
  });
});
afterAll(async () => {
  await fake?.close();
});

describe('handling_events', () => {
  it('a full read (api_version 2.14 in the config) delivers every event exactly, one request per conversation', async () => {
    const before = fake.stats.byRoute['GET /conversations/{id}/handling_events'] ?? 0;
    const run = await read('2.14');
    expect(run.code, run.stderr).toBe(0);
    expect(expected().size).toBeGreaterThan(10);
    expectExactly([run]);
    expect((fake.stats.byRoute['GET /conversations/{id}/handling_events'] ?? 0) - before).toBe(
      fake.workspace.conversations.length,
    );
  });

  it('an incremental read (api_version 2.15) asks only the changed conversations and delivers their new events', async () => {
    const first = await read('2.15');
    expect(first.code, first.stderr).toBe(0);
    const changed = fake.mutate({ stream: 'conversations', update: 2 }).updated;
    const admin = fake.workspace.admins[0]!;
    addedHandlingEvents(fake.workspace).set(changed[0]!, [
      {
        teammate: { type: 'admin', id: Number(admin.id), name: admin.name, email: admin.email },
        type: 'paused',
        timestamp: '2026-01-09T09:00:00Z',
        reason: null,
      },
    ]);
    const before = fake.stats.byRoute['GET /conversations/{id}/handling_events'] ?? 0;
    const second = await read('2.15', lastStates(first));
    expect(second.code, second.stderr).toBe(0);
    expect(new Set(recordsOf(second, STREAM).map((r) => r.conversation_id))).toContain(changed[0]);
    // Only conversations at or after the cursor are asked again, not all 60.
    expect((fake.stats.byRoute['GET /conversations/{id}/handling_events'] ?? 0) - before).toBeLessThan(10);
    expectExactly([first, second]);
  });
});
