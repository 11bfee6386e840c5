/** The bench's command line: `npm run bench -- [options]` (bench/README.md). */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SCENARIO_IDS } from './scenarios.js';

export const USAGE = `usage: npm run bench -- [options]
  --scenario N         run only scenario N (1-5); default: all five
  --scale F            multiply every workspace size by F (default: 0.1 for scenarios 1-4, 1 for 5)
  --scale N=F          scale of scenario N alone (repeatable), e.g. --scale 0.05 --scale 5=1
  --compare A,B        run the scenario (default 4) twice with config overrides A and B,
                       e.g. max_concurrency=4,max_concurrency=16 (several keys: k=v+k2=v2)
  --flat               memory flatness: scenario 4 at scale s and 10×s (s = --scale, default 0.1)
  --slow-reader        backpressure: the scenario (default 4) with a normal and a throttled reader
  --reader-mbps N      throttled reader speed in MB/s (default 2)
  --streams a,b        select only these streams of catalog.sample.json (default: the scenario's), e.g.
                       contacts to measure one reader alone
  --set k=v            connector config override for every run (repeatable; value JSON or string)
  --no-floor           skip scenario 4's CPU-floor sub-runs (contacts, conversation_parts)
  --floor-reps N       timing passes of the floor (median; default 5)
  --profile            write a CPU profile of each connector run (node --cpu-prof) and summarise it
  --token T            access token of the fake (default fake-token)
  --seed N             workspace seed (default 7)
  --timeout S          per-run limit in seconds (default: from the estimate, at least 900)
  --no-pin             do not pin the connector to one CPU in scenario 4
  --connector PATH     run another build of intercom-connector.js (A/B of a patch in a copy of dist/)
  --json FILE          also write the figures as JSON
  --keep               keep the temporary directory (configs, states, profiles)`;

/** Default workspace scale per scenario: every scenario of a plain `npm run bench` fits in minutes. */
const DEFAULT_SCALE: Record<number, number> = { 1: 0.1, 2: 0.1, 3: 0.1, 4: 0.1, 5: 1 };

export interface Options {
  scenarios: number[];
  /** --scale F (every scenario), if given. */
  scale?: number;
  /** --scale N=F. */
  scaleOf: Record<number, number>;
  compare?: [Record<string, unknown>, Record<string, unknown>, string, string];
  flat: boolean;
  slowReader: boolean;
  readerMbps: number;
  overrides: Record<string, unknown>;
  floor: boolean;
  floorReps: number;
  profile: boolean;
  token: string;
  seed: number;
  timeoutSec?: number;
  pin: boolean;
  json?: string;
  keep: boolean;
  connector?: string;
  /** Only these streams (default: the scenario's, else every stream of catalog.sample.json). */
  streams?: string[];
}

/** The scale a scenario runs at: --scale N=F, else --scale F, else its default. */
export function scaleFor(opts: Pick<Options, 'scale' | 'scaleOf'>, id: number): number {
  return opts.scaleOf[id] ?? opts.scale ?? DEFAULT_SCALE[id] ?? 1;
}

function parseOverride(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of text.split('+').filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`config override '${part}' must be key=value`);
    const raw = part.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    out[part.slice(0, eq).trim()] = value;
  }
  return out;
}

function readArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string' },
      scale: { type: 'string', multiple: true },
      compare: { type: 'string' },
      flat: { type: 'boolean', default: false },
      'slow-reader': { type: 'boolean', default: false },
      'reader-mbps': { type: 'string' },
      set: { type: 'string', multiple: true },
      'no-floor': { type: 'boolean', default: false },
      'floor-reps': { type: 'string' },
      profile: { type: 'boolean', default: false },
      token: { type: 'string' },
      seed: { type: 'string' },
      timeout: { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      json: { type: 'string' },
      connector: { type: 'string' },
      keep: { type: 'boolean', default: false },
      streams: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  }).values;
}

function positive(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got '${v}'`);
  return n;
}

function scenarioId(v: string | undefined): number | undefined {
  const id = positive('scenario', v);
  if (id !== undefined && !(SCENARIO_IDS as readonly number[]).includes(id))
    throw new Error(`--scenario must be one of ${SCENARIO_IDS.join(', ')}`);
  return id;
}

/** `--scale F` and `--scale N=F` (repeatable). */
export function parseScales(values: string[]): { scale?: number; scaleOf: Record<number, number> } {
  let scale: number | undefined;
  const scaleOf: Record<number, number> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq < 0) scale = positive('scale', v);
    else scaleOf[scenarioId(v.slice(0, eq))!] = positive('scale', v.slice(eq + 1))!;
  }
  return { scale, scaleOf };
}

function parseCompare(text: string | undefined): Options['compare'] {
  if (text === undefined) return undefined;
  const sides = text.split(',');
  if (sides.length !== 2)
    throw new Error(
      '--compare takes two override sets separated by a comma, e.g. max_concurrency=4,max_concurrency=16',
    );
  return [parseOverride(sides[0]!), parseOverride(sides[1]!), sides[0]!, sides[1]!];
}

export function parseOptions(argv: string[]): Options {
  const values = readArgs(argv);
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    process.exit(0);
  }
  const id = scenarioId(values.scenario);
  const modes = [values.compare !== undefined, values.flat, values['slow-reader']].filter(Boolean).length;
  if (modes > 1) throw new Error('use one of --compare, --flat, --slow-reader at a time');
  const overrides: Record<string, unknown> = {};
  for (const s of values.set ?? []) Object.assign(overrides, parseOverride(s));
  const compare = parseCompare(values.compare);
  const single = compare || values.flat || values['slow-reader'];
  return {
    scenarios: id !== undefined ? [id] : single ? [4] : [...SCENARIO_IDS],
    ...parseScales(values.scale ?? []),
    compare,
    flat: values.flat ?? false,
    slowReader: values['slow-reader'] ?? false,
    readerMbps: positive('reader-mbps', values['reader-mbps']) ?? 2,
    overrides,
    floor: !(values['no-floor'] ?? false),
    floorReps: positive('floor-reps', values['floor-reps']) ?? 5,
    profile: values.profile ?? false,
    token: values.token ?? 'fake-token',
    seed: positive('seed', values.seed) ?? 7,
    timeoutSec: positive('timeout', values.timeout),
    pin: !(values['no-pin'] ?? false),
    json: values.json,
    keep: values.keep ?? false,
    connector: values.connector === undefined ? undefined : resolve(values.connector),
    streams: values.streams
      ?.split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  };
}
