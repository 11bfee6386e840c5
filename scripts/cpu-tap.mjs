/**
 * Preloaded (`node --import`) into the connector by scripts/cpu-floor.mjs for a capture run only:
 * every HTTP response body the process receives is appended to CPU_TAP_FILE (4-byte length, then
 * the bytes), and resourceUsage is written to CPU_PROBE_FILE at exit. Never used in a measured run
 * (the tap itself costs CPU).
 */
import http from 'node:http';
import { appendFileSync, writeFileSync } from 'node:fs';

const tapFile = process.env.CPU_TAP_FILE;
if (tapFile) {
  const emit = http.ClientRequest.prototype.emit;
  http.ClientRequest.prototype.emit = function (event, ...args) {
    if (event === 'response') {
      const res = args[0];
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const len = Buffer.alloc(4);
        len.writeUInt32BE(body.length);
        appendFileSync(tapFile, Buffer.concat([len, body]));
      });
    }
    return emit.call(this, event, ...args);
  };
}
const probe = process.env.CPU_PROBE_FILE;
if (probe)
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(probe, JSON.stringify({ maxRssKb: u.maxRSS, userUs: u.userCPUTime, sysUs: u.systemCPUTime }));
  });
