/** The benchmark scenarios and the requests each needs at least. */
import { walkRequests, workspaceWalks } from './bounds.js';

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
  /** Only these streams of catalog.sample.json (default: every stream). */
  streams?: string[];
}

/** The scenario ids `--scenario` accepts. */
export const SCENARIO_IDS = [1, 2, 3, 4, 5] as const;

/**
 * The eight core streams of the small-workspace comparison: what singer-io/tap-intercom reads in
 * its default catalog minus its attribute lists and company_segments (admins, companies, contacts,
 * conversations, conversation_parts, segments, tags, teams).
 */
export const CORE_STREAMS = [
  'admins',
  'teams',
  'tags',
  'segments',
  'contacts',
  'companies',
  'conversations',
  'conversation_parts',
];

/** The small workspace of the side-by-side comparison with the reference tap. */
export const SMALL_WORKSPACE: WorkspaceSizes = { contacts: 5_000, companies: 1_000, conversations: 1_000, tickets: 1 };

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

/** Latency and jitter of the scenarios with a budget: Intercom's, as measured from a nearby host. */
const NETWORK = { latencyMs: 100, jitterMs: 50 };

type ScenarioShape = Omit<Scenario, 'id' | 'size'> & { size: (scale: number) => WorkspaceSizes };

const SCENARIOS: Record<number, ScenarioShape> = {
  1: {
    title: 'initial full sync, large workspace, 10,000 req/min',
    size: (scale) => scaled(FULL_WORKSPACE, scale),
    ...NETWORK,
    ratePer10s: 1666,
    incremental: false,
    cpuBound: false,
  },
  2: {
    title: 'initial full sync, a tenth of the workspace, 1,000 req/min',
    size: (scale) => scaled(FULL_WORKSPACE, scale / 10),
    ...NETWORK,
    ratePer10s: 166,
    incremental: false,
    cpuBound: false,
  },
  3: {
    title: 'incremental sync after 1 % of records changed (10,000 req/min)',
    size: (scale) => scaled(FULL_WORKSPACE, scale),
    ...NETWORK,
    ratePer10s: 1666,
    incremental: true,
    cpuBound: false,
  },
  4: {
    title: 'CPU-bound: zero latency, no budget, one core',
    size: (scale) => scaled(FULL_WORKSPACE, scale),
    latencyMs: 0,
    jitterMs: 0,
    ratePer10s: 0,
    incremental: false,
    cpuBound: true,
  },
  5: {
    title: 'small workspace, eight core streams, 1,660 req / 10 s',
    size: (scale) => scaled(SMALL_WORKSPACE, scale),
    latencyMs: 100,
    jitterMs: 0,
    ratePer10s: 1660,
    incremental: false,
    cpuBound: false,
    streams: CORE_STREAMS,
  },
};

export function scenario(id: number, scale: number): Scenario {
  const shape = SCENARIOS[id];
  if (!shape) throw new Error(`unknown scenario ${id} (${SCENARIO_IDS.join(', ')})`);
  return { ...shape, id, size: shape.size(scale) };
}

/**
 * Requests a sync needs at least: every page of every walk plus the GETs that depend on them
 * (bounds.ts workspaceWalks), with nothing planned ahead (no probes, no part-filled slice pages).
 * A connector that sends more shows as requests sent > needed. Streams the catalog does not
 * select are left out.
 */
export function estimateRequests(
  size: WorkspaceSizes,
  selected: Set<string>,
  incremental = false,
): { requests: number; parts: string[] } {
  const walks = workspaceWalks(size, selected, incremental);
  return {
    requests: walks.reduce((n, w) => n + walkRequests(w), 0),
    parts: walks.map((w) => `${w.name} ${walkRequests(w)}`),
  };
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
