import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/run-cli.js';

/**
 * No Docker engine runs on our machines, so the Dockerfile is checked statically, and the
 * commands its RUN lines use are run on a clean copy of what it COPYs.
 */
interface Instruction {
  stage: number;
  op: string;
  args: string;
}

function parseDockerfile(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, ' ');
  let stage = -1;
  const out: Instruction[] = [];
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const [op, ...rest] = line.split(/\s+/);
    if (op!.toUpperCase() === 'FROM') stage++;
    out.push({ stage, op: op!.toUpperCase(), args: rest.join(' ') });
  }
  return out;
}

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
const instructions = parseDockerfile(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8'));
const finalStage = Math.max(...instructions.map((i) => i.stage));
const final = instructions.filter((i) => i.stage === finalStage);
const get = (op: string, list = final) => list.filter((i) => i.op === op).map((i) => i.args);

describe('Dockerfile (Airbyte image)', () => {
  it('is multi-stage on Node 20 slim: build with dev deps, run with production deps only', () => {
    const froms = get('FROM', instructions);
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^node:20-slim\b/);
    expect(
      instructions.some((i) => i.stage < finalStage && i.op === 'RUN' && /npm ci(?!.*--omit=dev)/.test(i.args)),
    ).toBe(true);
    expect(get('RUN').some((r) => /npm ci .*--omit=dev/.test(r))).toBe(true);
    expect(get('COPY').some((c) => c.startsWith('--from=build'))).toBe(true);
  });

  it('runs as the non-root user airbyte with a writable /airbyte', () => {
    expect(get('USER')).toEqual(['airbyte']);
    expect(get('RUN').some((r) => /useradd .*airbyte/.test(r) && /chown -R airbyte:airbyte \/airbyte/.test(r))).toBe(
      true,
    );
  });

  it('sets AIRBYTE_ENTRYPOINT to the absolute ENTRYPOINT and runs spec with no arguments', () => {
    const entrypoint = JSON.parse(get('ENTRYPOINT')[0]!) as string[];
    expect(entrypoint[1]!.startsWith('/')).toBe(true);
    const env = get('ENV').find((e) => e.startsWith('AIRBYTE_ENTRYPOINT='))!;
    expect(JSON.parse(env.slice('AIRBYTE_ENTRYPOINT='.length))).toBe(entrypoint.join(' '));
    expect(JSON.parse(get('CMD')[0]!)).toEqual(['spec']);
    const workdir = get('WORKDIR')[0]!;
    expect(entrypoint[1]!.startsWith(workdir)).toBe(true);
  });

  it('labels the image with the name and version from package.json', () => {
    const labels = Object.fromEntries(
      get('LABEL').map((l) => {
        const [k, v] = l.split('=');
        return [k, JSON.parse(v!)];
      }),
    );
    expect(labels['io.airbyte.name']).toBe(pkg.name);
    expect(labels['io.airbyte.version']).toBe(pkg.version);
  });

  it('COPYs only files that exist after npm run build, and the entrypoint file is among them', () => {
    for (const inst of instructions.filter((i) => i.op === 'COPY')) {
      const parts = inst.args.split(/\s+/);
      const fromBuild = parts[0] === '--from=build';
      const sources = parts.slice(fromBuild ? 1 : 0, -1);
      for (const source of sources) {
        // --from=build paths live in the build stage's WORKDIR (/build), i.e. the repo root after `npm run build`.
        const local = fromBuild ? source.replace(/^\/build\//, '') : source.replace(/^\.\//, '');
        expect(existsSync(join(repoRoot, local)), `${inst.args}: ${local}`).toBe(true);
      }
    }
    expect(existsSync(join(repoRoot, 'dist/bin/intercom-connector.js'))).toBe(true);
  });

  it('its runtime RUN command installs production dependencies from the lockfile, and the image command prints a SPEC', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ic-docker-'));
    try {
      for (const f of ['package.json', 'package-lock.json', 'catalog.sample.json', 'README.md'])
        cpSync(join(repoRoot, f), join(dir, f));
      cpSync(join(repoRoot, 'schemas'), join(dir, 'schemas'), { recursive: true });
      cpSync(join(repoRoot, 'dist'), join(dir, 'dist'), { recursive: true });
      const install = get('RUN')
        .find((r) => /npm ci .*--omit=dev/.test(r))!
        .split('&&')[0]!
        .trim();
      execFileSync('bash', ['-c', install], { cwd: dir, stdio: 'pipe' });
      expect(existsSync(join(dir, 'node_modules/vitest'))).toBe(false);
      const entrypoint = (JSON.parse(get('ENTRYPOINT')[0]!) as string[]).map((p) =>
        p.replace('/airbyte/integration_code', dir),
      );
      const out = execFileSync(entrypoint[0]!, [...entrypoint.slice(1), ...(JSON.parse(get('CMD')[0]!) as string[])], {
        cwd: dir,
        encoding: 'utf8',
      });
      expect(JSON.parse(out.trim()).type).toBe('SPEC');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
