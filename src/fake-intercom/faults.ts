/** Injected faults (FaultRule): which request gets one, and the hostile record rewrites of kind 'records'. */
import type { Json } from './model.js';
import { Rng, hash32 } from './rng.js';
import type { FaultRule, RecordRewrite } from './types.js';

interface FaultState {
  rule: FaultRule;
  re: RegExp | null;
  seen: number;
  hits: number;
}

/** Error code and message of an injected status. */
export const STATUS_CODES: Record<number, [string, string]> = {
  400: ['parameter_invalid', 'Bad Request'],
  401: ['unauthorized', 'Access Token Invalid'],
  403: ['api_plan_restricted', 'Active subscription needed.'],
  404: ['not_found', 'Resource Not Found'],
  409: ['conflict', 'Conflict'],
  422: ['parameter_invalid', 'Unprocessable Entity'],
  429: ['rate_limit_exceeded', 'Rate Limit Exceeded'],
  500: ['server_error', 'Request failed due to an internal network error. Please restart the scroll operation.'],
  502: ['bad_gateway', 'Bad Gateway'],
  503: ['service_unavailable', 'Service Unavailable'],
  504: ['gateway_timeout', 'Gateway Timeout'],
};

function compileFault(rule: FaultRule): FaultState {
  const r = rule.route;
  let re: RegExp | null = null;
  if (r !== undefined) {
    if (/^[A-Z]+ \/[\w\-./{}]*$/.test(r)) {
      // 'METHOD /path' (exact) or 'METHOD /path/{param}' (template)
      if (r.includes('{')) re = new RegExp('^' + r.replace(/\./g, '\\.').replace(/\{[^}]+\}/g, '[^/]+') + '$');
    } else {
      re = new RegExp(r);
    }
  }
  return { rule, re, seen: 0, hits: 0 };
}

/** The configured fault rules, with their counters (`after`, `times`) and a seeded `probability` draw. */
export class Faults {
  private faults: FaultState[];
  private readonly rng: Rng;

  constructor(seed: number, rules: FaultRule[]) {
    this.rng = new Rng(hash32(seed, 'faults'));
    this.faults = rules.map(compileFault);
  }

  set(rules: FaultRule[]): void {
    this.faults = rules.map(compileFault);
  }

  /** The first rule that fires for `METHOD /path` (counting it), or null. */
  pick(key: string): FaultRule | null {
    for (const f of this.faults) {
      const matches = f.rule.route === undefined || (f.re ? f.re.test(key) : f.rule.route === key);
      if (!matches) continue;
      const times = f.rule.times ?? 1;
      if (times >= 0 && f.hits >= times) continue;
      f.seen++;
      if (f.seen <= (f.rule.after ?? 0)) continue;
      if (f.rule.probability !== undefined && this.rng.next() >= f.rule.probability) continue;
      f.hits++;
      return f.rule;
    }
    return null;
  }
}

/** Kind 'records': a hostile rewrite of the records in a list answer (the first array of objects). */
export function rewriteRecords(body: Json, rewrites: RecordRewrite[]): Json {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const list = Object.values(body as Record<string, Json>).find((v) => Array.isArray(v)) as Json[] | undefined;
  if (list) for (const spec of rewrites) rewriteList(list, spec);
  return body;
}

function rewriteList(list: Json[], spec: RecordRewrite): void {
  // Matched before any rewrite: a rewrite may remove the id itself.
  const matched = list.filter(
    (item) => item && typeof item === 'object' && spec.ids?.includes(String((item as Record<string, Json>).id)),
  );
  for (const item of matched) {
    const record = item as Record<string, Json>;
    for (const field of spec.unset ?? []) delete record[field];
    Object.assign(record, spec.set ?? {});
  }
  for (let i = 0; i < (spec.nulls ?? 0); i++) (list as unknown[]).push(null);
}
