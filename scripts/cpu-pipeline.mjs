#!/usr/bin/env node
/**
 * The per-record path alone, offline, on bodies captured by `scripts/cpu-floor.mjs --keep`:
 *   node scripts/cpu-pipeline.mjs <kept dir> <stream> [dist dir]
 * Times, per pass over every captured page: JSON.parse (floor part 1), the client's checks on a
 * body (depth scan, token scrub), the stream plan (data controls) and the Airbyte RECORD line
 * written to a null sink, against JSON.stringify of the records (floor part 2).
 */
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dir, stream = 'contacts', distArg] = process.argv.slice(2);
const dist = resolve(distArg ?? 'dist');
const imp = (p) => import(pathToFileURL(join(dist, p)).href);
const { nestingExceeds, withoutToken, decodeBody, MAX_NESTING_DEPTH } = await imp('src/intercom/client.js');
const { compileStreamPlans } = await imp('src/transform/stream-plans.js');
const { parseSourceConfig } = await imp('src/config/source-config.js');
const { AirbyteSink } = await imp('src/protocol/airbyte.js');

const buf = readFileSync(join(dir, 'bodies.bin'));
const raw = [];
for (let i = 0; i < buf.length; i += 4 + buf.readUInt32BE(i))
  raw.push(buf.subarray(i + 4, i + 4 + buf.readUInt32BE(i)));
const bodies = raw.map((b) => decodeBody(b));
const recordsKey = stream === 'contacts' ? 'data' : 'conversation_parts';
const pageRecords = (page) =>
  stream === 'contacts'
    ? (page.data ?? [])
    : (page.conversation_parts?.conversation_parts ?? []).map((p) => ({
        ...p,
        id: String(p.id),
        conversation_id: page.id,
      }));
const config = parseSourceConfig({ access_token: 'x' }, {});
const plan = compileStreamPlans(config, [{ name: stream, syncMode: 'full_refresh' }]).get(stream);
const out = new Writable({
  write(chunk, _e, cb) {
    cb();
  },
});
const sink = new AirbyteSink(out);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
function best(f, reps = 7) {
  let m = Infinity;
  for (let r = 0; r < reps; r++) {
    const t = cpu();
    f();
    m = Math.min(m, cpu() - t);
  }
  return m;
}
const parsed = bodies.map((b) => JSON.parse(b));
const recs = parsed.flatMap(pageRecords);
console.log(`${bodies.length} bodies, ${recs.length} ${recordsKey} records`);
const t = {
  'decode (Buffer -> string)': best(() => {
    for (const b of raw) decodeBody(b);
  }),
  'JSON.parse (floor)': best(() => {
    for (const b of bodies) JSON.parse(b);
  }),
  'depth scan': best(() => {
    for (const b of bodies) nestingExceeds(b, MAX_NESTING_DEPTH);
  }),
  'token scrub': best(() => {
    for (const b of bodies) withoutToken(b, 'tok_abcdefghijklmnop');
  }),
  'JSON.stringify records (floor)': best(() => {
    for (const r of recs) JSON.stringify(r);
  }),
  'parse + records + plan.apply + sink.emit': best(() => {
    for (const b of bodies)
      for (const r of pageRecords(JSON.parse(b)))
        sink.emit({ type: 'record', stream, data: plan.records.apply(r, true) });
  }),
  'parse + records + plan.apply': best(() => {
    for (const b of bodies) for (const r of pageRecords(JSON.parse(b))) plan.records.apply(r, true);
  }),
  'parse + records': best(() => {
    for (const b of bodies) pageRecords(JSON.parse(b));
  }),
};
await sink.flush();
for (const [k, v] of Object.entries(t)) console.log(`${k.padEnd(44)} ${v.toFixed(1)} ms`);
