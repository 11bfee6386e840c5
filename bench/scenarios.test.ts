import { describe, expect, it } from 'vitest';
import { CORE_STREAMS, estimateRequests, scenario } from './scenarios.js';

describe('scenario 5: the small workspace', () => {
  it('is 5,000 contacts, 1,000 companies, 1,000 conversations, eight streams, 100 ms, 1,660 per 10 s', () => {
    const s = scenario(5, 1);
    expect(s.size).toMatchObject({ contacts: 5000, companies: 1000, conversations: 1000 });
    expect(s.streams).toEqual(CORE_STREAMS);
    expect(CORE_STREAMS).toHaveLength(8);
    expect(s.latencyMs).toBe(100);
    expect(s.ratePer10s).toBe(1660);
  });

  it('needs 34 contact pages, 21 scroll pages, 7 conversation pages + 1,000 GETs, 4 lists', () => {
    const s = scenario(5, 1);
    expect(estimateRequests(s.size, new Set(CORE_STREAMS)).requests).toBe(34 + 21 + 7 + 1000 + 4);
  });
});

describe('scenario table', () => {
  it('scales sizes and refuses an unknown id', () => {
    expect(scenario(1, 0.1).size.contacts).toBe(10_000);
    expect(scenario(2, 1).size.contacts).toBe(10_000);
    expect(scenario(3, 1).incremental).toBe(true);
    expect(scenario(4, 1).cpuBound).toBe(true);
    expect(() => scenario(6, 1)).toThrow(/unknown scenario 6/);
  });
});
