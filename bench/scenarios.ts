/** The benchmark scenarios and a rough request estimate for each. */

export interface WorkspaceSizes {
  contacts: number;
  companies: number;
  conversations: number;
  tickets: number;
}

export interface Scenario {
  id: number;
  title: string;
  size: WorkspaceSizes;
  latencyMs: number;
  jitterMs: number;
  /** Requests per 10-second window the fake allows; 0 = no budget. */
  ratePer10s: number;
  /** A full sync, then 1 % of the records changed, then an incremental sync from its STATE. */
  incremental: boolean;
  /** Pin the connector to one CPU (and the fake to another). */
  cpuBound: boolean;
}

export const FULL_WORKSPACE: WorkspaceSizes = {
  contacts: 100_000,
  companies: 10_000,
  conversations: 20_000,
  tickets: 5_000,
};

function scaled(size: WorkspaceSizes, factor: number): WorkspaceSizes {
  const s = (n: number): number => Math.max(1, Math.round(n * factor));
  return {
    contacts: s(size.contacts),
    companies: s(size.companies),
    conversations: s(size.conversations),
    tickets: s(size.tickets),
  };
}

export function scenario(id: number, scale: number): Scenario {
  switch (id) {
    case 1:
      return {
        id,
        title: 'initial full sync, large workspace, 10,000 req/min',
        size: scaled(FULL_WORKSPACE, scale),
        latencyMs: 100,
        jitterMs: 50,
        ratePer10s: 1666,
        incremental: false,
        cpuBound: false,
      };
    case 2:
      return {
        id,
        title: 'initial full sync, a tenth of the workspace, 1,000 req/min',
        size: scaled(FULL_WORKSPACE, scale / 10),
        latencyMs: 100,
        jitterMs: 50,
        ratePer10s: 166,
        incremental: false,
        cpuBound: false,
      };
    case 3:
      return {
        id,
        title: 'incremental sync after 1 % of records changed (10,000 req/min)',
        size: scaled(FULL_WORKSPACE, scale),
        latencyMs: 100,
        jitterMs: 50,
        ratePer10s: 1666,
        incremental: true,
        cpuBound: false,
      };
    case 4:
      return {
        id,
        title: 'CPU-bound: zero latency, no budget, one core',
        size: scaled(FULL_WORKSPACE, scale),
        latencyMs: 0,
        jitterMs: 0,
        ratePer10s: 0,
        incremental: false,
        cpuBound: true,
      };
    default:
      throw new Error(`unknown scenario ${id} (1-4)`);
  }
}

/**
 * Requests a full sync needs, per reader, from what the fake generates (defaults: 10 parts per
 * conversation, ~1 note and 3 events per contact, 300 activity logs over ~900 days) and what the connector does
 * (150 per search page, 50 per scroll page, one GET per conversation/ticket and per contact for
 * events and notes). Checked against the fake's byRoute counts at 10k and 100k contacts (within ~5 %). Streams the catalog
 * does not select are left out.
 */
export function estimateRequests(
  size: WorkspaceSizes,
  selected: Set<string>,
  incremental = false,
): { requests: number; parts: string[] } {
  const parts: string[] = [];
  let total = 0;
  const add = (what: string, n: number): void => {
    total += n;
    parts.push(`${what} ${Math.round(n)}`);
  };
  const changed = (n: number): number => (incremental ? Math.ceil(n * 0.01) : n);
  const pages = (n: number, per: number): number => Math.max(1, Math.ceil(n / per));
  if (selected.has('contacts'))
    add('contacts', pages(changed(size.contacts), 150) + 0.05 * changed(size.contacts) + 16);
  if (selected.has('companies')) add('companies', pages(size.companies, 50));
  if (selected.has('conversations'))
    add(
      'conversations',
      pages(changed(size.conversations), 150) +
        (selected.has('conversation_parts') ? changed(size.conversations) : 0) +
        16,
    );
  if (selected.has('tickets'))
    add('tickets', pages(changed(size.tickets), 150) + (selected.has('ticket_parts') ? changed(size.tickets) : 0) + 16);
  // events and notes walk the contact search again (their own pass), then one GET per contact.
  if (selected.has('events')) add('events', changed(size.contacts) + pages(changed(size.contacts), 150) + 16);
  if (selected.has('notes')) add('notes', changed(size.contacts) * 0.68 + pages(changed(size.contacts), 150) + 16);
  // One request per 5-day window since the workspace was created (~900 days in the fake).
  if (selected.has('activity_logs')) add('activity_logs', incremental ? 5 : 185);
  add('small lists', 15);
  return { requests: Math.round(total), parts };
}

/** Lower bounds on wall time: the budget, and latency × requests / concurrency. */
export function estimateSeconds(
  requests: number,
  s: Scenario,
  maxConcurrency: number,
): { budgetSec?: number; latencySec: number } {
  return {
    budgetSec: s.ratePer10s > 0 ? requests / (s.ratePer10s / 10) : undefined,
    latencySec: (requests * s.latencyMs) / 1000 / Math.max(1, maxConcurrency),
  };
}
