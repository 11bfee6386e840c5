import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { type CliRun, repoRoot, tempDir } from '../helpers/run-cli.js';
import { keysOf, sorted } from './keys.js';

/**
 * The README's Kubernetes CronJob, run as written (its container command and args are taken from
 * the README, only the volume paths are moved to temp dirs): twice, with a kill -9 in the middle
 * of the first run. The second run must resume from the state file the first one left.
 */
const TOKEN = 'e2e-cronjob-token-7e6d5c4b3a';
const STREAMS = ['contacts', 'contact_tag', 'conversations', 'conversation_parts'];

interface Container {
  command: string[];
  args: string[];
}

/** The CronJob's container, parsed from the YAML block of the README's Kubernetes section. */
function readmeCronJob(): Container {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Docker and Kubernetes'));
  const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error('README: no yaml block under "Docker and Kubernetes"');
  const doc = parse(block) as {
    kind: string;
    spec: { jobTemplate: { spec: { template: { spec: { containers: Container[] } } } } };
  };
  expect(doc.kind).toBe('CronJob');
  return doc.spec.jobTemplate.spec.template.spec.containers[0]!;
}

let fake: FakeIntercom;
let root: string;
let container: Container;

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 93,
    token: TOKEN,
    size: { contacts: 200, companies: 4, conversations: 30, tickets: 2, largeConversations: 0, largeTickets: 0 },
    latencyMs: 2,
  });
  container = readmeCronJob();
  root = tempDir('ic-cron-');
  mkdirSync(join(root, 'config'));
  mkdirSync(join(root, 'state'));
  // The config map of the README: the token comes from the environment ("${INTERCOM_TOKEN}").
  const config = {
    access_token: '${INTERCOM_TOKEN}',
    base_url: fake.url,
    slice_days: 20,
    start_date: new Date(Date.now() - 400 * 86_400_000).toISOString().slice(0, 10),
    checkpoint_every_records: 1,
    max_concurrency: 1,
  };
  writeFileSync(join(root, 'config', 'config.json'), JSON.stringify(config));
  const catalog = {
    streams: STREAMS.map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
      sync_mode: 'incremental',
      destination_sync_mode: 'append_dedup',
    })),
  };
  writeFileSync(join(root, 'config', 'catalog.json'), JSON.stringify(catalog));
});
afterAll(async () => {
  await fake.close();
});

/** The container's command line with the image's and the volumes' paths moved under temp dirs. */
function commandLine(): string[] {
  const moved = (text: string): string =>
    text
      .replaceAll('/airbyte/integration_code/', `${repoRoot}${repoRoot.endsWith('/') ? '' : '/'}`)
      .replaceAll('/config/', `${join(root, 'config')}/`)
      .replaceAll('/state/', `${join(root, 'state')}/`);
  return [...container.command, ...container.args].map(moved);
}

/** One run of the CronJob's container; `killWhen` is polled (bounded) and, once true, kill -9. */
function runJob(killWhen?: () => boolean): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const [cmd, ...args] = commandLine();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd!, args, {
      env: {
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        INTERCOM_TOKEN: TOKEN,
        INTERCOM_CONNECTOR_RETRY_BASE_MS: '20',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let polls = 0;
    const poll = killWhen
      ? setInterval(() => {
          if (killWhen() || ++polls > 3000) {
            clearInterval(poll);
            child.kill('SIGKILL');
          }
        }, 10)
      : undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolve({ code, signal });
    });
  });
}

/** The output files of the runs so far, read as CLI runs (complete lines only). */
function outputs(): Map<string, CliRun> {
  const runs = new Map<string, CliRun>();
  for (const file of readdirSync(join(root, 'state')).filter((f) => f.startsWith('out-'))) {
    const stdout = readFileSync(join(root, 'state', file), 'utf8');
    const lines = stdout.split('\n').slice(0, -1).filter(Boolean);
    runs.set(file, {
      code: null,
      signal: null,
      stdout,
      stderr: '',
      lines,
      messages: lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    });
  }
  return runs;
}

const stateFile = (): string => join(root, 'state', 'state.json');
const savedContactsCursor = (): number | undefined => {
  if (!existsSync(stateFile())) return undefined;
  const states = JSON.parse(readFileSync(stateFile(), 'utf8')) as {
    stream: { stream_descriptor: { name: string }; stream_state: { updated_at?: number } };
  }[];
  return states.find((s) => s.stream.stream_descriptor.name === 'contacts')?.stream.stream_state.updated_at;
};

describe("the README's CronJob, twice, with a kill -9 in the middle of the first run", () => {
  it('uses --state-file and no inline script', () => {
    const line = commandLine().join(' ');
    expect(line).toContain('--state-file');
    expect(line).not.toMatch(/node -e|require\(/);
  });

  it('the second run resumes from the state file the killed run left; together they deliver every record', async () => {
    // Killed once the contacts have a saved cursor, well before the run could finish.
    let firstSaved: number | undefined;
    const first = await runJob(
      () =>
        (firstSaved = savedContactsCursor()) !== undefined && readFileSync(stateFile(), 'utf8').includes('"contacts"'),
    );
    expect(first.signal).toBe('SIGKILL');
    expect(firstSaved).toBeDefined();
    const afterFirst = outputs();
    expect(afterFirst.size).toBe(1);
    const firstRun = [...afterFirst.values()][0]!;
    const truth = fake.groundTruth() as unknown as Record<string, string[]>;
    expect(keysOf(firstRun, 'contacts').length).toBeLessThan(truth.contacts!.length);

    const second = await runJob();
    expect(second.code).toBe(0);
    // A run in the same second writes the same output name: take the second run's file as it is now.
    const afterSecond = outputs();
    const secondRun =
      afterSecond.size === 2
        ? [...afterSecond].find(([name]) => !afterFirst.has(name))![1]
        : [...afterSecond.values()][0]!;
    // Resumed: the second run starts at the saved cursor, not at start_date.
    const contactsUpdatedAt = (
      secondRun.messages.filter(
        (m) => m.type === 'RECORD' && (m.record as { stream: string }).stream === 'contacts',
      ) as { record: { data: { updated_at: number } } }[]
    ).map((m) => m.record.data.updated_at);
    expect(contactsUpdatedAt.length).toBeGreaterThan(0);
    expect(Math.min(...contactsUpdatedAt)).toBeGreaterThanOrEqual(firstSaved! - 3600);
    expect(keysOf(secondRun, 'contacts').length).toBeLessThan(truth.contacts!.length);
    for (const stream of STREAMS)
      expect(sorted(new Set(keysOf([firstRun, secondRun], stream))), stream).toEqual(sorted(truth[stream]!));
  });
});
