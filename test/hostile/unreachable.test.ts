import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { assertTokenContained, runConnector, traceErrors } from './hostile.js';

/** A host that refuses connections or does not resolve: one clear error, no retry ladder, the process exits. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe('unreachable host: fail fast', () => {
  it('a refused connection on the first request ends the read with one clear error and no retries', async () => {
    const port = await closedPort();
    const run = await runConnector('airbyte', `http://127.0.0.1:${port}`, ['admins', 'tags', 'teams'], {
      max_retries: 6,
    });
    const errors = traceErrors(run);
    // Every stream hits the same dead host: one error for the run, the other streams INCOMPLETE.
    expect(errors).toHaveLength(1);
    expect(
      errors.every((e) =>
        /Could not reach Intercom at http:\/\/127\.0\.0\.1:\d+\/\S*: the connection was refused \(ECONNREFUSED\) on the first request/.test(
          e.message,
        ),
      ),
    ).toBe(true);
    expect(run.messages.filter((m) => m.type === 'LOG' && /Retrying/.test(JSON.stringify(m)))).toEqual([]);
    const incomplete = run.messages
      .filter((m) => m.type === 'TRACE' && (m.trace as { type: string }).type === 'STREAM_STATUS')
      .map((m) => (m.trace as { stream_status: { status: string; stream_descriptor: { name: string } } }).stream_status)
      .filter((s) => s.status === 'INCOMPLETE')
      .map((s) => s.stream_descriptor.name);
    expect(incomplete.sort()).toEqual(['admins', 'tags', 'teams']);
    expect(run.code).toBe(1);
    assertTokenContained(run, []);
  });

  it('a host name that does not resolve ends the tap with one CRITICAL line and exit 1', async () => {
    const run = await runConnector('tap', 'https://nonexistent-host.invalid', ['admins'], { max_retries: 6 });
    expect(run.stderr).toMatch(/host name could not be resolved \(DNS\) \((ENOTFOUND|EAI_AGAIN)\)/);
    expect(run.stderr).not.toMatch(/Retrying/);
    expect(run.code).toBe(1);
  });
});
