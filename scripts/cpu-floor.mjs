#!/usr/bin/env node
/**
 * CPU per record of the BUILT connector against its floor, for one stream at a time:
 *   node scripts/cpu-floor.mjs [--stream contacts|conversation_parts] [--contacts N]
 *     [--conversations N] [--runs N] [--profile DIR]
 * floor = CPU of JSON.parse of every response body the connector received (captured in a separate
 * run) + JSON.stringify of every record it emitted. The connector's CPU is user+sys of its process
 * (resourceUsage at exit), minus nothing: startup is included and printed separately (`spec`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    stream: { type: 'string', default: 'contacts' },
    contacts: { type: 'string', default: '20000' },
    conversations: { type: 'string', default: '2000' },
    runs: { type: 'string', default: '3' },
    profile: { type: 'string' },
    cli: { type: 'string' },
    keep: { type: 'boolean', default: false },
    'node-args': { type: 'string', default: '' },
  },
});
const cli = values.cli ?? join(root, 'dist/bin/intercom-connector.js');
const tap = join(root, 'scripts/cpu-tap.mjs');
const work = mkdtempSync(join(tmpdir(), 'cpu-floor-'));
const TOKEN = 'cpu-floor-token';

function startFake() {
  const child = spawn(
    process.execPath,
    [
      join(root, 'dist/src/fake-intercom/cli.js'),
      '--port',
      '0',
      '--token',
      TOKEN,
      '--prerender',
      '--seed',
      '7',
      '--contacts',
      values.contacts,
      '--conversations',
      values.conversations,
      '--companies',
      '10',
      '--tickets',
      '0',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, url: JSON.parse(out.slice(0, nl)).url });
    });
    child.once('exit', (code) => reject(new Error(`fake exited ${code}`)));
  });
}

function runCli(args, env, stdoutFile, nodeArgs = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, '--import', tap, cli, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...env },
    });
    let records = 0;
    let carry = '';
    let tail = '';
    const sink = stdoutFile ? createWriteStream(stdoutFile) : undefined;
    const marker = '"type":"RECORD"';
    child.stdout.on('data', (c) => {
      sink?.write(c);
      // The marker may straddle two chunks: keep the end of the previous one.
      const text = carry + c.toString('latin1');
      for (let i = text.indexOf(marker); i >= 0; i = text.indexOf(marker, i + 1)) records++;
      carry = text.slice(-(marker.length - 1));
    });
    child.stderr.on('data', (c) => (tail = (tail + c).slice(-2000)));
    // Bounded: a connector that hangs is killed, never left running.
    const killer = setTimeout(() => child.kill('SIGKILL'), 10 * 60_000);
    child.once('close', (code) => {
      clearTimeout(killer);
      sink?.end();
      if (code !== 0) return reject(new Error(`connector exited ${code}: ${tail}`));
      resolve(records);
    });
  });
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** min over reps of the CPU ms of f (each rep runs f once over everything). */
function timed(f, reps = 7) {
  let best = Infinity;
  for (let r = 0; r < reps; r++) {
    const t = cpuMs();
    f();
    best = Math.min(best, cpuMs() - t);
  }
  return best;
}

function readTap(file) {
  const buf = readFileSync(file);
  const bodies = [];
  for (let i = 0; i < buf.length;) {
    const len = buf.readUInt32BE(i);
    bodies.push(buf.subarray(i + 4, i + 4 + len).toString('utf8'));
    i += 4 + len;
  }
  return bodies;
}

const fake = await startFake();
try {
  const config = join(work, 'config.json');
  writeFileSync(config, JSON.stringify({ access_token: TOKEN, base_url: fake.url, max_concurrency: 24 }));
  const catalogPath = join(work, 'catalog.json');
  const sample = JSON.parse(readFileSync(join(root, 'catalog.sample.json'), 'utf8'));
  const streams = sample.streams
    .filter((s) => s.stream.name === values.stream)
    .map((s) => ({ ...s, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' }));
  if (!streams.length) throw new Error(`no stream ${values.stream} in catalog.sample.json`);
  writeFileSync(catalogPath, JSON.stringify({ streams }));
  const args = ['read', '--config', config, '--catalog', catalogPath];

  // Capture run: bodies and output (not measured).
  const tapFile = join(work, 'bodies.bin');
  const outFile = join(work, 'out.jsonl');
  await runCli(args, { CPU_TAP_FILE: tapFile }, outFile);
  const bodies = readTap(tapFile);
  const lines = readFileSync(outFile, 'utf8').split('\n');
  const records = [];
  for (const l of lines) if (l.includes('"type":"RECORD"')) records.push(JSON.parse(l).record.data);
  const bodyBytes = bodies.reduce((n, b) => n + b.length, 0);

  // Startup: `spec` (loads the CLI, prints one message).
  const specProbe = join(work, 'spec.json');
  await runCli(['spec'], { CPU_PROBE_FILE: specProbe });
  const spec = JSON.parse(readFileSync(specProbe, 'utf8'));
  const specMs = (spec.userUs + spec.sysUs) / 1000;

  const runs = [];
  const floors = [];
  for (let r = 0; r < Number(values.runs); r++) {
    const probe = join(work, `probe-${r}.json`);
    const nodeArgs = [
      ...values['node-args'].split(' ').filter(Boolean),
      ...(values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : []),
    ];
    const n = await runCli(args, { CPU_PROBE_FILE: probe }, undefined, nodeArgs);
    if (n !== records.length) console.log(`note: this run emitted ${n} records, the capture run ${records.length}`);
    const p = JSON.parse(readFileSync(probe, 'utf8'));
    runs.push({ n, ms: (p.userUs + p.sysUs) / 1000, sysMs: p.sysUs / 1000, rss: p.maxRssKb });
    const parseMs = timed(() => {
      for (const b of bodies) JSON.parse(b);
    });
    const stringifyMs = timed(() => {
      for (const rec of records) JSON.stringify(rec);
    });
    floors.push({ parseMs, stringifyMs });
  }
  const per10k = (ms, n) => ((ms / 1000) * 10_000) / n;
  const n = records.length;
  const floorMs = Math.min(...floors.map((f) => f.parseMs + f.stringifyMs));
  const f = floors.reduce((a, b) => (a.parseMs + a.stringifyMs <= b.parseMs + b.stringifyMs ? a : b));
  console.log(
    `stream ${values.stream}: ${n} records, ${bodies.length} responses, ${(bodyBytes / 1e6).toFixed(1)} MB of bodies`,
  );
  console.log(
    `floor: parse ${f.parseMs.toFixed(0)} ms + stringify ${f.stringifyMs.toFixed(0)} ms = ${per10k(floorMs, n).toFixed(3)} CPU s / 10k records`,
  );
  console.log(`startup (spec): ${specMs.toFixed(0)} ms`);
  for (const run of runs)
    console.log(
      `run: ${run.n} records, ${run.ms.toFixed(0)} ms CPU (sys ${run.sysMs.toFixed(0)}) = ${per10k(run.ms, run.n).toFixed(3)} s/10k, ratio ${(run.ms / floorMs).toFixed(2)} (without startup ${((run.ms - specMs) / floorMs).toFixed(2)}), peak RSS ${(run.rss / 1024).toFixed(0)} MB`,
    );
} finally {
  fake.child.kill('SIGTERM');
  if (values.keep) console.log(`kept ${work}`);
  else rmSync(work, { recursive: true, force: true });
}
