/**
 * Preloaded into the connector process (`node --import <this>`): on exit it writes the process's
 * own resource usage to BENCH_PROBE_FILE. maxRSS is the kernel's high-water mark (VmHWM) read at
 * the last possible moment, and the CPU times are exact, which polling /proc from outside cannot
 * guarantee for the final 100 ms.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_PROBE_FILE;
if (target) {
  process.on('exit', (code) => {
    const usage = process.resourceUsage();
    try {
      writeFileSync(
        target,
        JSON.stringify({
          maxRssKb: usage.maxRSS,
          userCpuUs: usage.userCPUTime,
          systemCpuUs: usage.systemCPUTime,
          exitCode: code,
          uptimeSec: process.uptime(),
        }),
      );
    } catch {
      // The bench falls back to what it sampled from /proc.
    }
  });
}
