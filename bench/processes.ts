/**
 * Child-process bookkeeping for the bench: every child is killed when the bench exits (normally,
 * on an error or on Ctrl-C), and a child's memory and CPU are sampled from /proc.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const children = new Set<ChildProcess>();
let hooked = false;
let stopping = false;

/** True once the bench got a signal: errors from killed children are expected then. */
export function isStopping(): boolean {
  return stopping;
}

function killAll(signal: NodeJS.Signals): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
  }
}

/** Registers a child so it cannot outlive the bench. */
export function track(child: ChildProcess): ChildProcess {
  if (!hooked) {
    hooked = true;
    process.on('exit', () => killAll('SIGKILL'));
    for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      process.on(sig, () => {
        stopping = true;
        process.stderr.write(`\nbench: ${sig}, stopping children\n`);
        killAll('SIGTERM');
        setTimeout(() => process.exit(130), 300).unref();
      });
    }
  }
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Whether `taskset` can pin a process to a CPU here. */
export const canPin: boolean = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

export function cpuCount(): number {
  try {
    return Number(execFileSync('nproc', { encoding: 'utf8' }).trim());
  } catch {
    return 1;
  }
}

/** Prefixes a command with `taskset -c <cpu>` when pinning is possible and asked for. */
export function pinned(cpu: number | undefined, command: string, args: string[]): { command: string; args: string[] } {
  if (cpu === undefined || !canPin) return { command, args };
  return { command: 'taskset', args: ['-c', String(cpu), command, ...args] };
}

const CLOCK_TICKS: number = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcSample {
  /** Largest VmRSS seen while polling, kB. */
  maxRssKb: number;
  /** Last VmHWM read (the kernel's own peak), kB. */
  hwmKb: number;
  /** utime + stime at the last poll, seconds. */
  cpuSec: number;
  samples: number;
  /** [ms since sampling started, VmRSS kB], one per poll. */
  timeline: [number, number][];
}

/**
 * Polls /proc/<pid>/status and /proc/<pid>/stat every `intervalMs` (taskset execs the command, so
 * the pid is the connector's own). Returns a stop function giving the figures.
 */
export function sampleProc(pid: number, intervalMs = 100): () => ProcSample {
  const result: ProcSample = { maxRssKb: 0, hwmKb: 0, cpuSec: 0, samples: 0, timeline: [] };
  const t0 = performance.now();
  const statusPath = `/proc/${pid}/status`;
  if (!existsSync(statusPath)) return () => result;
  const poll = (): void => {
    try {
      const status = readFileSync(statusPath, 'utf8');
      const rss = /VmRSS:\s+(\d+)/.exec(status);
      const hwm = /VmHWM:\s+(\d+)/.exec(status);
      if (rss) {
        result.maxRssKb = Math.max(result.maxRssKb, Number(rss[1]));
        result.timeline.push([performance.now() - t0, Number(rss[1])]);
      }
      if (hwm) result.hwmKb = Math.max(result.hwmKb, Number(hwm[1]));
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      result.cpuSec = (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
      result.samples++;
    } catch {
      // The process is exiting.
    }
  };
  poll();
  const timer = setInterval(poll, intervalMs);
  return () => {
    clearInterval(timer);
    return result;
  };
}

/** CPU seconds (utime + stime) a process has used so far, or undefined when it cannot be read. */
export function cpuSecondsOf(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
