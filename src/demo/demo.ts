/**
 * `npm run demo`: a real sync against the bundled fake Intercom, no token needed. Starts the fake
 * server on 127.0.0.1, runs `intercom-connector read` as a separate process with the sample
 * catalog, passes its Airbyte messages through to stdout and prints a summary on stderr.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import split2 from 'split2';
import { startFakeIntercom } from '../fake-intercom/index.js';
import { packageRoot } from '../util/package-root.js';

const fake = await startFakeIntercom({
  seed: 7,
  token: 'demo-token-not-a-secret',
  size: { contacts: 300, companies: 60, conversations: 120, tickets: 40 },
  latencyMs: 5,
});
const dir = mkdtempSync(join(tmpdir(), 'intercom-demo-'));
const configPath = join(dir, 'config.json');
writeFileSync(
  configPath,
  JSON.stringify(
    { access_token: 'demo-token-not-a-secret', base_url: fake.url, start_date: '2020-01-01T00:00:00Z' },
    null,
    2,
  ),
);

process.stderr.write(
  `Fake Intercom listening on ${fake.url}\nRunning: intercom-connector read --config ${configPath} --catalog catalog.sample.json\n\n`,
);
const child = spawn(
  process.execPath,
  [
    join(packageRoot, 'dist/bin/intercom-connector.js'),
    'read',
    '--config',
    configPath,
    '--catalog',
    join(packageRoot, 'catalog.sample.json'),
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);

const counts = new Map<string, number>();
let types = new Map<string, number>();
// The connector's stdout is passed through as it comes; its lines are counted on the side.
child.stdout.on('data', (chunk: Buffer) => process.stdout.write(chunk));
const lines = child.stdout.pipe(split2());
lines.on('data', (line: string) => {
  if (!line) return;
  const message = JSON.parse(line) as { type: string; record?: { stream: string } };
  types.set(message.type, (types.get(message.type) ?? 0) + 1);
  if (message.record) counts.set(message.record.stream, (counts.get(message.record.stream) ?? 0) + 1);
});
const [code] = await Promise.all([
  new Promise<number | null>((resolve) => child.on('close', resolve)),
  new Promise((resolve) => lines.on('end', resolve)),
]);
await fake.close();
types = new Map([...types.entries()].sort());
process.stderr.write(
  `\nDemo finished (exit code ${code}). Messages: ${[...types].map(([t, n]) => `${t} ${n}`).join(', ')}\nRecords per stream:\n`,
);
for (const [stream, n] of [...counts.entries()].sort()) process.stderr.write(`  ${stream.padEnd(24)} ${n}\n`);
process.exitCode = code ?? 1;
