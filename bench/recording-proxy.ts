/**
 * A recording HTTP proxy for the CPU-floor sub-runs, run as its own process (pinned to the fake's
 * CPU, so it costs the connector nothing): forwards every request to the fake and appends each
 * JSON answer body it passes on to a file (framed as a 4-byte big-endian length, then the bytes).
 * Those are exactly the bytes the connector parsed; bench/floor-cli.ts times JSON.parse on them.
 *
 *   node dist/bench/recording-proxy.js <target URL> <bodies file>
 *
 * Prints {"url": ...} once listening; closes the file and exits on SIGTERM.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { Agent, createServer, request, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { frame } from './floor.js';

function collect(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

/** Answer headers as the fake sent them, but with the whole body's length (the proxy buffers it). */
function answerHeaders(headers: IncomingHttpHeaders, length: number): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = { ...headers, 'content-length': String(length) };
  delete out['transfer-encoding'];
  return out;
}

function main(): void {
  const [target, bodiesPath] = process.argv.slice(2);
  if (!target || !bodiesPath) throw new Error('usage: recording-proxy <target URL> <bodies file>');
  const upstream = new URL(target);
  const fd = openSync(bodiesPath, 'w');
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const server = createServer((req, res) => {
    void (async () => {
      const body = await collect(req);
      const forwarded = request({
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: upstream.host },
        agent,
      });
      const answer = await new Promise<IncomingMessage>((resolve, reject) => {
        forwarded.once('response', resolve);
        forwarded.once('error', reject);
        forwarded.end(body);
      });
      const bytes = await collect(answer);
      if (answer.statusCode === 200 && String(answer.headers['content-type'] ?? '').includes('json'))
        writeSync(fd, frame(bytes));
      res.writeHead(answer.statusCode ?? 502, answerHeaders(answer.headers, bytes.length));
      res.end(bytes);
    })().catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`recording proxy: ${String(e)}`);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${port}` }) + '\n');
  });
  process.once('SIGTERM', () => {
    closeSync(fd);
    process.exit(0);
  });
}

main();
