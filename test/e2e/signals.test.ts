import { afterEach, describe, expect, it } from 'vitest';
import { startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { assertAirbyteMessage } from '../helpers/protocol.js';
import { BIN, type CliRun, lastStates, runCli, writeJsonFiles } from '../helpers/run-cli.js';
import { keysOf, sorted } from './keys.js';

const TOKEN = 'e2e-signal-token-99aa11bb22';
let fake: FakeIntercom | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const catalog = (streams: string[]) => ({
  streams: streams.map((name) => ({
    stream: { name, json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] },
    sync_mode: 'incremental',
    destination_sync_mode: 'append_dedup',
  })),
});

describe.each(['SIGTERM', 'SIGINT'] as const)('%s during a read', (signal) => {
  it('stops promptly even while a request hangs, emits the last safe STATE and INCOMPLETE, exits non-zero; a re-run completes without loss', async () => {
    fake = await startFakeIntercom({
      seed: 50,
      token: TOKEN,
      size: { contacts: 400, companies: 10, conversations: 20, tickets: 1 },
      latencyMs: 2,
    });
    // After a few pages the search hangs: the process is stuck in a request when the signal comes.
    fake.setFaults([{ route: 'POST /contacts/search', kind: 'hang', after: 3, times: -1 }]);
    const streams = ['contacts', 'contact_tag'];
    const files = writeJsonFiles({
      config: {
        access_token: TOKEN,
        base_url: fake.url,
        slice_days: 30,
        start_date: new Date(Date.now() - 420 * 86_400_000).toISOString(),
        checkpoint_every_records: 1,
        max_concurrency: 1,
        request_timeout_seconds: 120,
      },
      catalog: catalog(streams),
    });
    let states = 0;
    let signalled = false;
    // The signal goes once the process is stuck in a hanging request (seen by the fake), not
    // after a guessed delay. The hang would last request_timeout_seconds (120 s); runCli kills the
    // process at 20 s: a clean exit with the protocol below proves the signal cut the request.
    const hanging = () => (fake!.stats.byStatus.hang ?? 0) > 0;
    const signalWhenHanging = (child: { kill(s: NodeJS.Signals): boolean }, tries = 0): void => {
      if (hanging() || tries >= 2000) {
        signalled = true;
        child.kill(signal);
        return;
      }
      setTimeout(() => signalWhenHanging(child, tries + 1), 5);
    };
    const first: CliRun = await runCli(BIN.airbyte, ['read', '--config', files.config!, '--catalog', files.catalog!], {
      onLine: (line, child) => {
        if (line.startsWith('{"type":"STATE"') && ++states === 2) signalWhenHanging(child);
      },
      timeoutMs: 20_000,
    });
    expect(signalled).toBe(true);
    expect(hanging()).toBe(true);
    expect(first.code).not.toBe(0);
    expect(first.code).not.toBeNull();
    for (const line of first.lines) assertAirbyteMessage(line);
    const statuses = first.messages
      .filter((m) => m.type === 'TRACE' && (m.trace as { type: string }).type === 'STREAM_STATUS')
      .map((m) => (m.trace as { stream_status: { status: string } }).stream_status.status);
    expect(statuses.at(-1)).toBe('INCOMPLETE');
    const error = first.messages.find((m) => m.type === 'TRACE' && (m.trace as { type: string }).type === 'ERROR')!
      .trace as { error: { message: string; failure_type: string } };
    expect(error.error.message).toContain('interrupted');
    expect(error.error.failure_type).toBe('transient_error');
    expect(first.stderr).toContain(`Stopped by ${signal}`);

    fake.setFaults([]);
    const last = lastStates(first);
    const resume = writeJsonFiles({ state: last });
    const second = await runCli(BIN.airbyte, [
      'read',
      '--config',
      files.config!,
      '--catalog',
      files.catalog!,
      '--state',
      resume.state!,
    ]);
    expect(second.code, second.stderr).toBe(0);
    const truth = fake.groundTruth() as unknown as Record<string, string[]>;
    for (const stream of streams)
      expect(sorted(new Set(keysOf([first, second], stream))), stream).toEqual(sorted(truth[stream]!));
  });
});
