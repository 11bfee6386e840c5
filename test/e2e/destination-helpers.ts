import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeIntercom } from '../../src/fake-intercom/index.js';
import type { StreamCounts } from '../../src/destination/summary.js';
import { tempDir, type CliRun } from '../helpers/run-cli.js';

export type Rec = Record<string, unknown>;

export const airbyteRecord = (stream: string, data: Rec): string =>
  JSON.stringify({ type: 'RECORD', record: { stream, data, emitted_at: 1_700_000_000_000 } });
export const airbyteState = (n: number, stream = 'contacts'): string =>
  JSON.stringify({
    type: 'STATE',
    state: { type: 'STREAM', stream: { stream_descriptor: { name: stream }, stream_state: { n } } },
  });
export const singerSchema = (stream: string): string =>
  JSON.stringify({ type: 'SCHEMA', stream, schema: { type: 'object', properties: {} }, key_properties: [] });
export const singerRecord = (stream: string, record: Rec): string => JSON.stringify({ type: 'RECORD', stream, record });
export const singerState = (n: number): string => JSON.stringify({ type: 'STATE', value: { bookmarks: { n } } });

export interface DestinationFiles {
  dir: string;
  config: string;
  catalog: string;
  deadLetterPath: string;
  responsesPath: string;
  ledgerPath: string;
}

/** A destination config (all output files in a fresh temp dir) and a catalog of the given streams. */
export function destinationFiles(
  fake: FakeIntercom,
  token: string,
  streams: string[],
  extra: Rec = {},
): DestinationFiles {
  const dir = tempDir('ic-dest-');
  const paths = {
    deadLetterPath: join(dir, 'dead_letter.jsonl'),
    responsesPath: join(dir, 'responses.jsonl'),
    ledgerPath: join(dir, 'ledger.jsonl'),
  };
  const config = {
    access_token: token,
    base_url: fake.url,
    dead_letter_path: paths.deadLetterPath,
    responses_path: paths.responsesPath,
    ledger_path: paths.ledgerPath,
    ...extra,
  };
  const catalog = {
    streams: streams.map((name) => ({
      stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
      sync_mode: 'incremental',
      destination_sync_mode: 'append_dedup',
    })),
  };
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify(catalog));
  return { dir, config: join(dir, 'config.json'), catalog: join(dir, 'catalog.json'), ...paths };
}

export function jsonl(path: string): Rec[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Rec);
}

/** `n` of every STATE the Airbyte `write` echoed, in order. */
export function echoedAirbyteStates(run: CliRun): number[] {
  return run.messages
    .filter((m) => m.type === 'STATE')
    .map((m) => (m.state as { stream: { stream_state: { n: number } } }).stream.stream_state.n);
}

/** `n` of every state value the Singer target echoed, in order. */
export function echoedSingerStates(run: CliRun): number[] {
  return run.lines.map((l) => (JSON.parse(l) as { bookmarks: { n: number } }).bookmarks.n);
}

// The summary line's per-stream shape is the destination's own; the values are parsed from output.
export type { StreamCounts };

/** The WRITE_SUMMARY line (Airbyte LOG on stdout, or stderr for Singer). */
export function writeSummary(run: CliRun): {
  streams: Record<string, StreamCounts>;
  states_echoed: number;
  dead_letters: number;
} {
  const logs = run.messages.filter((m) => m.type === 'LOG').map((m) => (m.log as { message: string }).message);
  const line = [...logs, ...run.stderr.split('\n')].find((l) => l.includes('WRITE_SUMMARY '));
  if (!line) throw new Error(`no WRITE_SUMMARY in output:\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`);
  return JSON.parse(line.slice(line.indexOf('WRITE_SUMMARY ') + 'WRITE_SUMMARY '.length)) as ReturnType<
    typeof writeSummary
  >;
}

export function logMessages(run: CliRun): string[] {
  return run.messages.filter((m) => m.type === 'LOG').map((m) => (m.log as { message: string }).message);
}

export const input = (lines: string[]): string => lines.join('\n') + '\n';
