/**
 * The CPU floor of a read: what `JSON.parse` of the answer bodies the connector received plus
 * `JSON.stringify` of the messages it emitted cost alone, timed on the same bytes. A connector
 * cannot do less per record; its CPU per record is reported as a multiple of this.
 */

const RECORD_PREFIX = '{"type":"RECORD","record":{"stream":"';

/** Frames one body for a bodies file: a 4-byte big-endian length, then the bytes. */
export function frame(body: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}

/** Splits a bodies file back into its bodies. */
export function unframe(file: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < file.length) {
    if (pos + 4 > file.length) throw new Error(`bodies file truncated at byte ${pos}`);
    const length = file.readUInt32BE(pos);
    if (pos + 4 + length > file.length) throw new Error(`bodies file truncated at byte ${pos}`);
    out.push(file.subarray(pos + 4, pos + 4 + length));
    pos += 4 + length;
  }
  return out;
}

/** The RECORD lines of a captured stdout (every stream, or only `stream`'s). */
export function recordLines(stdout: string, stream?: string): string[] {
  const prefix = stream === undefined ? RECORD_PREFIX : `${RECORD_PREFIX}${stream}"`;
  return stdout.split('\n').filter((line) => line.startsWith(prefix));
}

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export interface FloorTiming {
  /** Median CPU seconds of one JSON.parse pass over every body. */
  parseSec: number;
  /** Median CPU seconds of one JSON.stringify pass over every emitted message. */
  stringifySec: number;
  bodies: number;
  bodyBytes: number;
  records: number;
  reps: number;
}

/**
 * CPU seconds (user + system) `work` costs this process: the same measure as the connector's
 * resourceUsage, so time the scheduler gives to other processes on a shared box counts in neither.
 */
function timed(work: () => void): number {
  const before = process.cpuUsage();
  work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

/**
 * Times JSON.parse of every body and JSON.stringify of every message, `reps` times after one
 * warm-up pass (the JIT and the heap settle), and keeps the median of each.
 */
export function timeFloor(bodies: string[], messages: unknown[], reps: number): FloorTiming {
  let sink = 0;
  const parseAll = (): void => {
    for (const b of bodies) sink += JSON.parse(b) === null ? 0 : 1;
  };
  const stringifyAll = (): void => {
    for (const m of messages) sink += JSON.stringify(m).length;
  };
  parseAll();
  stringifyAll();
  const parses: number[] = [];
  const stringifies: number[] = [];
  for (let i = 0; i < reps; i++) {
    parses.push(timed(parseAll));
    stringifies.push(timed(stringifyAll));
  }
  if (sink < 0) throw new Error('unreachable'); // keeps the results observable
  return {
    parseSec: median(parses),
    stringifySec: median(stringifies),
    bodies: bodies.length,
    bodyBytes: bodies.reduce((n, b) => n + Buffer.byteLength(b), 0),
    records: messages.length,
    reps,
  };
}

export interface CpuVersusFloor {
  /** Connector CPU seconds per record, whole process. */
  cpuPerRecordUs: number;
  /** The same without the CPU a start of the CLI costs with no work (node, module loading). */
  netCpuPerRecordUs: number;
  floorPerRecordUs: number;
  /** cpu / floor and (cpu − startup) / floor. */
  ratio: number;
  netRatio: number;
}

export function cpuVersusFloor(
  cpuSec: number,
  startupCpuSec: number,
  floor: Pick<FloorTiming, 'parseSec' | 'stringifySec'>,
  records: number,
): CpuVersusFloor | undefined {
  const floorSec = floor.parseSec + floor.stringifySec;
  if (records <= 0 || !(floorSec > 0)) return undefined;
  const net = Math.max(0, cpuSec - startupCpuSec);
  return {
    cpuPerRecordUs: (cpuSec / records) * 1e6,
    netCpuPerRecordUs: (net / records) * 1e6,
    floorPerRecordUs: (floorSec / records) * 1e6,
    ratio: cpuSec / floorSec,
    netRatio: net / floorSec,
  };
}
