/**
 * The workspace's state: its options, its record cores and lookup maps, and the counters caches
 * key on. The object modules (objects/*.ts) read and extend it; workspace.ts generates it and
 * mutates it. Kept apart from workspace.ts so the object modules need not import the class that
 * imports them.
 */
import type { Clock } from './clock.js';
import { hash32, hex8 } from './rng.js';
import type { WorkspaceSize } from './types.js';
import {
  cur,
  type ActivityLogCore,
  type AdminCore,
  type CompanyCore,
  type ContactCore,
  type ConversationCore,
  type DataAttributeDef,
  type RecordCore,
  type SegmentCore,
  type TagCore,
  type TeamCore,
  type TicketCore,
  type VersionEntry,
} from './model.js';

export interface WorkspaceOptions {
  seed: number;
  now: number;
  size: WorkspaceSize;
  clock: Clock;
  indexLagSeconds: number;
}

export class WorkspaceState {
  readonly seed: number;
  /** Generation time ("now" option). */
  readonly genNow: number;
  readonly size: WorkspaceSize;
  readonly clock: Clock;
  indexLagSeconds: number;
  readonly appId: string;
  readonly appName: string;

  readonly contacts: ContactCore[] = [];
  readonly companies: CompanyCore[] = [];
  readonly conversations: ConversationCore[] = [];
  readonly tickets: TicketCore[] = [];
  readonly admins: AdminCore[] = [];
  readonly teams: TeamCore[] = [];
  readonly tags: TagCore[] = [];
  readonly segments: SegmentCore[] = [];
  readonly dataAttributes: DataAttributeDef[] = [];
  readonly activityLogs: ActivityLogCore[] = [];
  readonly contactById = new Map<string, ContactCore>();
  readonly companyById = new Map<string, CompanyCore>();
  readonly conversationById = new Map<string, ConversationCore>();
  readonly ticketById = new Map<string, TicketCore>();
  readonly contactByExternalId = new Map<string, ContactCore>();
  readonly contactByEmail = new Map<string, ContactCore>();

  /** Incremented by each mutation (search caches key on it). */
  generation = 0;
  /**
   * Incremented whenever the rendering of any record may change: every mutation, and edits of a
   * record's core that are not mutations (tag attach/detach). Caches of rendered JSON text key on it.
   */
  renderEpoch = 0;
  /** visibleAt of every mutation so far (search caches expire when one passes). */
  readonly visibilityTimes: number[] = [];
  private segmentCountCache: { gen: number; counts: number[] } | null = null;

  constructor(opts: WorkspaceOptions) {
    this.seed = opts.seed;
    this.genNow = opts.now;
    this.size = opts.size;
    this.clock = opts.clock;
    this.indexLagSeconds = opts.indexLagSeconds;
    this.appId = 'fk' + hex8(hash32(this.seed, 'app')).slice(0, 6);
    this.appName = `Fake Workspace ${this.seed}`;
  }

  /** Virtual time from which search sees a record created or changed now. */
  visibleFrom(): number {
    return this.clock.now() + this.indexLagSeconds;
  }

  /** The version search sees at virtual time `t` (undefined: not visible or deleted). */
  visibleVersion(rec: RecordCore, t: number): VersionEntry | undefined {
    const v = rec.versions;
    for (let i = v.length - 1; i >= 0; i--) {
      const e = v[i] as VersionEntry;
      if (e.visibleAt <= t) return e.deleted ? undefined : e;
    }
    return undefined;
  }

  segmentMembers(s: number, c: ContactCore): boolean {
    return hash32(this.seed, 'cseg', s, c.idx) % (s + 2) === 0;
  }

  /** Members of each segment among the alive contacts, computed once per generation. */
  segmentCounts(): number[] {
    if (this.segmentCountCache && this.segmentCountCache.gen === this.generation) return this.segmentCountCache.counts;
    const counts = this.segments.map(() => 0);
    for (const c of this.contacts) {
      if (cur(c).deleted) continue;
      for (let s = 0; s < this.segments.length; s++)
        if (this.segmentMembers(s, c)) counts[s] = (counts[s] as number) + 1;
    }
    this.segmentCountCache = { gen: this.generation, counts };
    return counts;
  }
}
