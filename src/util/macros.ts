import { ConfigError } from '../core/errors.js';

export type MacroTimeUnit = 'minute' | 'hour' | 'day' | 'week' | 'month';

export interface MacroContext {
  /** Unix seconds that `{now}` stands for (the sync's start, so every request of a sync agrees). */
  now: number;
  unit: MacroTimeUnit;
  /** unix, iso, or a pattern of yyyy MM dd HH mm ss (UTC). */
  format: string;
  /** The `{state}` value: the stream's last cursor value (Unix seconds, ISO text or anything else). */
  state: unknown;
}

const MACRO = /\{(now(?:[+-]\d+)?|state)\}/g;
const WHOLE_MACRO = /^\{(now(?:[+-]\d+)?|state)\}$/;
const PATTERN_TOKEN = /yyyy|MM|dd|HH|mm|ss/g;

const SECONDS: Record<Exclude<MacroTimeUnit, 'month'>, number> = { minute: 60, hour: 3600, day: 86_400, week: 604_800 };

/** `now` moved by `amount` units; months move the calendar month (UTC), clamping Jan 31 + 1 month to Feb 28/29. */
export function shiftTime(now: number, amount: number, unit: MacroTimeUnit): number {
  if (unit !== 'month') return now + amount * SECONDS[unit];
  const date = new Date(now * 1000);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + amount);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return Math.floor(date.getTime() / 1000);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Unix seconds written in `format`: unix → a number; iso → 2024-01-31T00:00:00Z; else the pattern. */
export function formatTime(seconds: number, format: string): string | number {
  if (format === 'unix') return seconds;
  const date = new Date(seconds * 1000);
  if (format === 'iso') return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return format.replace(PATTERN_TOKEN, (token) => {
    switch (token) {
      case 'yyyy':
        return pad(date.getUTCFullYear(), 4);
      case 'MM':
        return pad(date.getUTCMonth() + 1);
      case 'dd':
        return pad(date.getUTCDate());
      case 'HH':
        return pad(date.getUTCHours());
      case 'mm':
        return pad(date.getUTCMinutes());
      default:
        return pad(date.getUTCSeconds());
    }
  });
}

/** Refuses a format that is neither unix, iso, nor a pattern with at least one date token. */
export function checkDateFormat(format: string, where: string): void {
  if (format === 'unix' || format === 'iso') return;
  if (!new RegExp(PATTERN_TOKEN.source).test(format)) {
    throw new ConfigError(
      `${where} must be unix, iso, or a pattern using yyyy, MM, dd, HH, mm, ss (e.g. yyyy-MM-dd); got ${JSON.stringify(format)}.`,
    );
  }
}

/** A cursor value as Unix seconds, when it is a time (numbers in ms are recognised); otherwise undefined. */
function asSeconds(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value))
    return value > 1e11 ? Math.floor(value / 1000) : Math.floor(value);
  if (typeof value === 'string') {
    if (/^\d+$/.test(value)) return asSeconds(Number(value));
    const ms = Date.parse(value);
    if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
  }
  return undefined;
}

function macroValue(name: string, ctx: MacroContext): string | number {
  if (name === 'state') {
    const seconds = asSeconds(ctx.state);
    if (seconds !== undefined) return formatTime(seconds, ctx.format);
    return typeof ctx.state === 'string' ? ctx.state : JSON.stringify(ctx.state ?? null);
  }
  const amount = name.length > 3 ? Number(name.slice(3)) : 0;
  return formatTime(shiftTime(ctx.now, amount, ctx.unit), ctx.format);
}

/** Replaces {now}, {now-N}, {now+N} and {state} in a string. */
export function expandMacros(text: string, ctx: MacroContext): string {
  return text.replace(MACRO, (_, name: string) => String(macroValue(name, ctx)));
}

/**
 * Expands macros in every string of a JSON value (a request body). A string that is exactly one
 * macro takes the macro's value, so `"value": "{now-1}"` becomes a number under the unix format
 * (what Intercom's search wants).
 */
export function expandMacrosDeep(value: unknown, ctx: MacroContext): unknown {
  if (typeof value === 'string') {
    const whole = WHOLE_MACRO.exec(value);
    return whole ? macroValue(whole[1]!, ctx) : expandMacros(value, ctx);
  }
  if (Array.isArray(value)) return value.map((v) => expandMacrosDeep(v, ctx));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, expandMacrosDeep(v, ctx)]),
    );
  }
  return value;
}
