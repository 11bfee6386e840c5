#!/usr/bin/env node
/**
 * Runs the fake Intercom API as a process. Prints exactly one JSON line {"url": "..."} on stdout
 * once listening; exits cleanly on SIGTERM/SIGINT. Control endpoints: see server.ts (/__fake/...).
 */
import { parseArgs } from 'node:util';
import { startFakeIntercom } from './server.js';
import type { FakeIntercomOptions, ListShapes, WorkspaceSize } from './types.js';

const SIZE_FLAGS: Record<string, keyof WorkspaceSize> = {
  contacts: 'contacts',
  companies: 'companies',
  conversations: 'conversations',
  tickets: 'tickets',
  admins: 'admins',
  teams: 'teams',
  tags: 'tags',
  segments: 'segments',
  articles: 'articles',
  collections: 'collections',
  'help-centers': 'helpCenters',
  'subscription-types': 'subscriptionTypes',
  'ticket-types': 'ticketTypes',
  'activity-logs': 'activityLogs',
  'events-per-contact': 'eventsPerContact',
  'notes-per-contact': 'notesPerContact',
  'parts-per-conversation': 'partsPerConversation',
  'parts-per-ticket': 'partsPerTicket',
  'large-conversations': 'largeConversations',
  'large-tickets': 'largeTickets',
};
const NUM_FLAGS = [
  'port',
  'seed',
  'now',
  'latency-ms',
  'jitter-ms',
  'rate-per-10s',
  'index-lag-seconds',
  'scroll-idle-seconds',
  'scroll-page-size',
  'activity-log-max-window-days',
];

const options: Record<string, { type: 'string' | 'boolean' }> = {
  token: { type: 'string' },
  host: { type: 'string' },
  shapes: { type: 'string' },
  help: { type: 'boolean' },
  prerender: { type: 'boolean' },
};
for (const f of [...NUM_FLAGS, ...Object.keys(SIZE_FLAGS)]) options[f] = { type: 'string' };

function usage(): string {
  return `usage: fake-intercom [--port N] [--seed N] [--token T] [--now UNIX] [--latency-ms N] [--jitter-ms N]
  [--rate-per-10s N] [--index-lag-seconds N] [--scroll-idle-seconds N] [--scroll-page-size N]
  [--activity-log-max-window-days N] [--prerender] [--shapes seed|JSON] ${Object.keys(SIZE_FLAGS)
    .map((f) => `[--${f} N]`)
    .join(' ')}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options, strict: true, allowPositionals: false });
  if (values['help']) {
    process.stderr.write(usage() + '\n');
    return;
  }
  const num = (name: string): number | undefined => {
    const v = values[name];
    if (v === undefined) return undefined;
    const n = Number(v);
    if (typeof v !== 'string' || !Number.isFinite(n)) throw new Error(`--${name} must be a number, got ${String(v)}`);
    return n;
  };
  const size: Partial<WorkspaceSize> = {};
  for (const [flag, key] of Object.entries(SIZE_FLAGS)) {
    const n = num(flag);
    if (n !== undefined) size[key] = n;
  }
  const opts: FakeIntercomOptions = { size };
  const set = <K extends keyof FakeIntercomOptions>(k: K, v: FakeIntercomOptions[K] | undefined): void => {
    if (v !== undefined) opts[k] = v;
  };
  set('port', num('port'));
  set('seed', num('seed'));
  set('now', num('now'));
  set('latencyMs', num('latency-ms'));
  set('jitterMs', num('jitter-ms'));
  set('ratePer10s', num('rate-per-10s'));
  set('indexLagSeconds', num('index-lag-seconds'));
  set('scrollIdleSeconds', num('scroll-idle-seconds'));
  set('scrollPageSize', num('scroll-page-size'));
  set('activityLogMaxWindowDays', num('activity-log-max-window-days'));
  if (typeof values['token'] === 'string') opts.token = values['token'];
  if (typeof values['host'] === 'string') opts.host = values['host'];
  if (values['prerender'] === true) opts.prerender = true;
  // --shapes seed: list shapes picked from the seed; or a JSON ListShapes ({"next":"url",...}).
  if (typeof values['shapes'] === 'string')
    opts.shapes = values['shapes'] === 'seed' ? 'seed' : (JSON.parse(values['shapes']) as ListShapes);

  const fake = await startFakeIntercom(opts);
  process.stdout.write(JSON.stringify({ url: fake.url }) + '\n');
  let closing = false;
  const stop = (): void => {
    if (closing) return;
    closing = true;
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`fake-intercom: ${e instanceof Error ? e.message : String(e)}\n${usage()}\n`);
  process.exit(2);
});
