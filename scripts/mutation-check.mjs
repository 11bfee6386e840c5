#!/usr/bin/env node
// Proof that the tests bite: each entry of scripts/mutations.json removes or inverts one guard in
// the source, runs only the tests named for it, and expects them to FAIL. The file is restored
// after each mutation, also on an error or an interrupt (a backup beside it survives even kill -9
// and is restored by the next run). Run: npm run mutation-check [-- name-part ...]
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const table = JSON.parse(readFileSync(join(root, 'scripts/mutations.json'), 'utf8'));
const filters = process.argv.slice(2);
const entries = table.filter((m) => filters.length === 0 || filters.some((f) => m.name.includes(f)));
const backupOf = (file) => join(root, `${file}.mutation-orig`);

/** A backup left by an interrupted run is the true file: put it back before anything else. */
function restore(file) {
  const backup = backupOf(file);
  if (existsSync(backup)) renameSync(backup, join(root, file));
}
for (const m of table) restore(m.file);

let current;
const onSignal = (signal) => {
  if (current) restore(current);
  process.stderr.write(`\nmutation-check: ${signal}; ${current ?? 'no file'} restored.\n`);
  process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const needsBuild = (m) => m.tests.some((t) => t.startsWith('test/e2e/') || t.startsWith('test/hostile/'));

function run(cmd, args) {
  const result = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', env: { ...process.env, CI: '1' } });
  return { code: result.status ?? 1, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function failingTests(output) {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
  const names = plain.split('\n').flatMap((l) => /^\s*FAIL\s+(.+?)\s*$/.exec(l)?.[1] ?? []);
  return [...new Set(names)].slice(0, 1);
}

function check(m) {
  const path = join(root, m.file);
  const original = readFileSync(path, 'utf8');
  const hits = original.split(m.search).length - 1;
  if (hits !== 1)
    return { verdict: 'STALE', detail: `search text found ${hits} times in ${m.file}; update scripts/mutations.json` };
  current = m.file;
  copyFileSync(path, backupOf(m.file));
  try {
    writeFileSync(
      path,
      original.replace(m.search, () => m.replace),
    );
    if (needsBuild(m)) {
      // The e2e tests run the bundled commands (dist/bin): compiling alone would leave them unmutated.
      const build = run('npm', ['run', 'build']);
      // A mutant the compiler refuses proves nothing about the tests: fix the table entry.
      if (build.code !== 0)
        return { verdict: 'INVALID', detail: 'the mutant does not compile; change its replacement' };
    }
    const args = ['vitest', 'run', ...m.tests, ...(m.testName ? ['-t', m.testName] : [])];
    const result = run('npx', args);
    if (/No test files found|No test found/.test(result.output)) return { verdict: 'STALE', detail: 'no test matched' };
    return result.code !== 0
      ? { verdict: 'KILLED', detail: failingTests(result.output).join(' | ') || 'tests failed' }
      : { verdict: 'SURVIVED', detail: 'every named test passed with the guard removed' };
  } finally {
    restore(m.file);
    current = undefined;
  }
}

const rows = [];
let rebuilt = false;
try {
  for (const m of entries) {
    const started = Date.now();
    const outcome = check(m);
    rebuilt ||= needsBuild(m);
    rows.push({
      name: m.name,
      file: m.file,
      tests: `${m.tests.join(' ')}${m.testName ? ` -t "${m.testName}"` : ''}`,
      ...outcome,
      seconds: Math.round((Date.now() - started) / 1000),
    });
    const last = rows.at(-1);
    process.stdout.write(`${last.verdict.padEnd(8)} ${m.name} (${last.seconds} s): ${last.detail}\n`);
  }
} finally {
  // dist/ was built from mutants: build it again from the restored sources.
  if (rebuilt) run('npm', ['run', 'build']);
}

process.stdout.write(
  '\n| mutation | file | tests that must fail | result | failing test (first) |\n|---|---|---|---|---|\n',
);
for (const r of rows)
  process.stdout.write(`| ${r.name} | ${r.file} | ${r.tests} | ${r.verdict} | ${r.detail.replace(/\|/g, '/')} |\n`);
const bad = rows.filter((r) => r.verdict !== 'KILLED');
process.stdout.write(`\n${rows.length - bad.length} of ${rows.length} mutations killed.\n`);
process.exitCode = bad.length ? 1 : 0;
