import { describe, expect, it } from 'vitest';
import { checkDateFormat, expandMacros, expandMacrosDeep, formatTime, shiftTime, type MacroContext } from './macros.js';

// 2024-03-31T12:34:56Z
const NOW = Date.UTC(2024, 2, 31, 12, 34, 56) / 1000;
const ctx = (over: Partial<MacroContext> = {}): MacroContext => ({
  now: NOW,
  unit: 'day',
  format: 'unix',
  state: 0,
  ...over,
});

describe('date macros', () => {
  it('{now}, {now-N}, {now+N} in each unit', () => {
    expect(expandMacros('/x?since={now}', ctx())).toBe(`/x?since=${NOW}`);
    expect(expandMacros('{now-1}', ctx())).toBe(String(NOW - 86_400));
    expect(expandMacros('{now+3}', ctx({ unit: 'hour' }))).toBe(String(NOW + 3 * 3600));
    expect(expandMacros('{now-2}', ctx({ unit: 'minute' }))).toBe(String(NOW - 120));
    expect(expandMacros('{now-1}', ctx({ unit: 'week' }))).toBe(String(NOW - 7 * 86_400));
  });

  it('months move the calendar month and clamp to its last day', () => {
    expect(formatTime(shiftTime(NOW, -1, 'month'), 'iso')).toBe('2024-02-29T12:34:56Z');
    expect(formatTime(shiftTime(NOW, 1, 'month'), 'iso')).toBe('2024-04-30T12:34:56Z');
    expect(formatTime(shiftTime(NOW, -13, 'month'), 'iso')).toBe('2023-02-28T12:34:56Z');
  });

  it('formats: unix, iso and patterns (UTC)', () => {
    expect(formatTime(NOW, 'unix')).toBe(NOW);
    expect(formatTime(NOW, 'iso')).toBe('2024-03-31T12:34:56Z');
    expect(formatTime(NOW, 'yyyy-MM-dd')).toBe('2024-03-31');
    expect(formatTime(NOW, 'dd/MM/yyyy HH:mm:ss')).toBe('31/03/2024 12:34:56');
    expect(expandMacros('/r/{now-1}', ctx({ format: 'yyyy-MM-dd' }))).toBe('/r/2024-03-30');
    expect(() => checkDateFormat('YYYY', 'config.macro_date_format')).toThrow(
      /config.macro_date_format must be unix, iso, or a pattern/,
    );
    expect(() => checkDateFormat('yyyyMMdd', 'x')).not.toThrow();
  });

  it('{state} is the last cursor value written in the date format; text that is no date stays as is', () => {
    expect(expandMacros('{state}', ctx({ state: 1_700_000_000 }))).toBe('1700000000');
    expect(expandMacros('{state}', ctx({ state: 1_700_000_000, format: 'iso' }))).toBe('2023-11-14T22:13:20Z');
    expect(expandMacros('{state}', ctx({ state: 1_700_000_000_000, format: 'iso' }))).toBe('2023-11-14T22:13:20Z');
    expect(expandMacros('{state}', ctx({ state: '2023-11-14T22:13:20Z' }))).toBe('1700000000');
    expect(expandMacros('after={state}', ctx({ state: 'cursor-abc' }))).toBe('after=cursor-abc');
  });

  it('in a body, a string that is exactly one macro takes its value (a number under unix)', () => {
    const body = {
      query: {
        operator: 'AND',
        value: [
          { field: 'updated_at', operator: '>', value: '{state}' },
          { field: 'created_at', operator: '<', value: '{now+1}' },
        ],
      },
      note: 'from {now-1} on',
      n: 3,
    };
    expect(expandMacrosDeep(body, ctx({ state: 1000 }))).toEqual({
      query: {
        operator: 'AND',
        value: [
          { field: 'updated_at', operator: '>', value: 1000 },
          { field: 'created_at', operator: '<', value: NOW + 86_400 },
        ],
      },
      note: `from ${NOW - 86_400} on`,
      n: 3,
    });
    expect(expandMacrosDeep({ since: '{now}' }, ctx({ format: 'yyyy-MM-dd' }))).toEqual({ since: '2024-03-31' });
  });

  it('leaves other braces alone', () => {
    expect(expandMacros('/a/{id}/{nowx}/{state-1}', ctx())).toBe('/a/{id}/{nowx}/{state-1}');
  });
});
