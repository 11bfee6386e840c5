import { describe, expect, it } from 'vitest';
import {
  budgetUse,
  cursorWalk,
  drawnLatencySeconds,
  independentRequests,
  latencyBound,
  verdict,
  walkRequests,
  walkRounds,
  workspaceWalks,
} from './bounds.js';

describe('cursor walks', () => {
  it('a walk over n records at 150 a page is ceil(n / 150) pages in a row', () => {
    const w = cursorWalk('contacts', 1000, 150);
    expect(w.pages).toBe(7);
    expect(walkRequests(w)).toBe(7);
    expect(walkRounds(w, 24)).toBe(7);
  });

  it('an empty listing still costs one page; a scroll pays one more (empty) page to end', () => {
    expect(cursorWalk('x', 0, 150).pages).toBe(1);
    expect(cursorWalk('companies', 200, 50, 0, true).pages).toBe(5);
  });

  it('a child GET after the last page adds one round when the children fit in flight', () => {
    // 200 conversations: 2 pages; the last page holds 50 children, at 64 in flight one round after it,
    // and every child needs a page first: 1 + ceil(200 / 64) = 5 rounds.
    const w = cursorWalk('conversations', 200, 150, 1);
    expect(w.children).toBe(200);
    expect(w.lastPageChildren).toBe(50);
    expect(walkRounds(w, 64)).toBe(5);
    // With everything in flight at once: 2 pages + 1 round for the last page's children.
    expect(walkRounds(w, 1000)).toBe(3);
  });

  it('fan-out beyond max_concurrency costs ceil(k / c) rounds', () => {
    // 1,000 conversations, c = 24: pages 7 + ceil(100 / 24) = 12; 1 + ceil(1000 / 24) = 43.
    expect(walkRounds(cursorWalk('conversations', 1000, 150, 1), 24)).toBe(43);
    expect(walkRounds(independentRequests('lists', 50), 24)).toBe(3);
  });

  it('the scroll end page carries no children', () => {
    const w = cursorWalk('scroll', 120, 50, 1, true);
    // 3 pages of records (50, 50, 20) + the empty page: the last page with records holds 20.
    expect(w.pages).toBe(4);
    expect(w.lastPageChildren).toBe(20);
  });
});

describe('latencyBound', () => {
  it('is the longest walk × mean latency when the walks fit in flight', () => {
    const b = latencyBound([cursorWalk('contacts', 5000, 150), cursorWalk('companies', 1000, 50, 0, true)], 24, 100);
    // contacts 34 rounds, companies 21, all 55 requests / 24 = 3 rounds.
    expect(b.rounds).toBe(34);
    expect(b.seconds).toBeCloseTo(3.4, 9);
    expect(b.longest).toBe('contacts');
  });

  it('is all requests / max_concurrency when that is longer than any chain', () => {
    const walks = [independentRequests('a', 100), independentRequests('b', 100)];
    const b = latencyBound(walks, 10, 50);
    expect(b.rounds).toBe(20);
    expect(b.seconds).toBeCloseTo(1, 9);
    expect(b.longest).toMatch(/all 200 requests \/ 10/);
  });

  it('is zero without latency', () => {
    expect(latencyBound([cursorWalk('contacts', 5000, 150)], 8, 0).seconds).toBe(0);
  });
});

describe('drawnLatencySeconds', () => {
  it("is the binding chain's rounds × the latency the fake drew for that chain's requests", () => {
    const size = { contacts: 10_000, companies: 1_000, conversations: 2_000, tickets: 500 };
    const bound = latencyBound(workspaceWalks(size, new Set(['companies', 'contacts']), true), 24, 100);
    expect(bound.longest).toBe('companies scroll');
    expect(bound.route).toBe('GET /companies/scroll');
    // 21 scroll pages that waited 2,450 ms in all (unlucky jitter); the contacts searches do not count.
    const stats = {
      byRoute: { 'GET /companies/scroll': 21, 'POST /contacts/search': 3 },
      latencyMsByRoute: { 'GET /companies/scroll': 2_450, 'POST /contacts/search': 150 },
    };
    expect(bound.seconds).toBeCloseTo(2.1, 6);
    expect(drawnLatencySeconds(bound, stats)).toBeCloseTo(2.45, 6);
  });

  it('is the mean drawn over every request for the all-requests bound, and undefined without data', () => {
    const bound = latencyBound([independentRequests('lists', 100)], 10, 100);
    expect(bound.route).toBeUndefined();
    const stats = { byRoute: { 'GET /a': 60, 'GET /b': 40 }, latencyMsByRoute: { 'GET /a': 6_000, 'GET /b': 2_000 } };
    expect(drawnLatencySeconds(bound, stats)).toBeCloseTo(0.8, 6);
    expect(drawnLatencySeconds(bound, { byRoute: {}, latencyMsByRoute: {} })).toBeUndefined();
  });
});

describe('workspaceWalks', () => {
  const size = { contacts: 10_000, companies: 1_000, conversations: 2_000, tickets: 500 };

  it('an incremental sync walks 1 % of searched records but the whole companies scroll', () => {
    const walks = workspaceWalks(size, new Set(['contacts', 'companies', 'conversations']), true);
    const byName = new Map(walks.map((w) => [w.name.split(' ')[0], w]));
    expect(byName.get('contacts')!.pages).toBe(1); // 100 changed contacts
    expect(byName.get('companies')!.pages).toBe(21); // 1,000 / 50 + the end page
    expect(byName.get('conversations')!.children).toBe(0); // no parts selected: no GET each
  });

  it('conversation_parts alone needs the conversations walk and a GET per conversation', () => {
    const [w] = workspaceWalks(size, new Set(['conversation_parts']), false);
    expect(w!.pages).toBe(14);
    expect(w!.children).toBe(2000);
  });

  it('counts each small list as one request and leaves unselected readers out', () => {
    const walks = workspaceWalks(size, new Set(['admins', 'teams', 'tags']), false);
    expect(walks).toHaveLength(1);
    expect(walkRequests(walks[0]!)).toBe(3);
  });
});

describe('budgetUse', () => {
  const t0 = 1_700_000_000_000; // a window boundary (divisible by 10 s)

  it('is the share of the budget used over the full windows of the run', () => {
    const windows = [
      { start: t0 / 1000, count: 100 },
      { start: t0 / 1000 + 10, count: 50 },
    ];
    const use = budgetUse(windows, 100, t0, t0 + 20_000)!;
    expect(use.use).toBeCloseTo(0.75, 9);
    expect(use.windows).toBe(2);
    expect(use.fullWindows).toBe(2);
  });

  it('gives a partial window its share of the budget and counts idle windows as 0', () => {
    // Run from 5 s into the first window to 5 s into the third: allowed 50 + 100 + 50.
    const windows = [
      { start: t0 / 1000, count: 50 },
      { start: t0 / 1000 + 20, count: 25 },
    ];
    const use = budgetUse(windows, 100, t0 + 5000, t0 + 25_000)!;
    expect(use.use).toBeCloseTo((50 + 0 + 25) / 200, 9);
    expect(use.windows).toBe(3);
    expect(use.fullWindows).toBe(1);
  });

  it('caps a burst in a partial window at that window’s share', () => {
    const windows = [{ start: t0 / 1000, count: 100 }];
    // 2 s of the window: 20 allowed; the 100 sent count as 20, so a burst cannot hide idle time.
    expect(budgetUse(windows, 100, t0 + 8000, t0 + 10_000)!.use).toBe(1);
    expect(budgetUse(windows, 100, t0 + 8000, t0 + 20_000)!.use).toBeCloseTo(20 / 120, 9);
  });

  it('is undefined without a budget or without time', () => {
    expect(budgetUse([], 0, t0, t0 + 1000)).toBeUndefined();
    expect(budgetUse([], 100, t0, t0)).toBeUndefined();
  });
});

describe('verdict', () => {
  it('judges at-most and at-least targets and says when there is no figure', () => {
    expect(verdict(1.1, 1.15)).toBe('met');
    expect(verdict(1.2, 1.15)).toBe('NOT MET');
    expect(verdict(0.96, 0.95, true)).toBe('met');
    expect(verdict(0.9, 0.95, true)).toBe('NOT MET');
    expect(verdict(undefined, 1)).toBe('—');
  });
});
