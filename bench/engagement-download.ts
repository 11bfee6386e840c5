/**
 * Memory of a content (engagement) export download: a local server streams a tar.gz whose
 * receipts CSV has N rows (generated on the fly), the connector's download + archive + CSV path
 * turns it into records. Prints heap and RSS every 10 % of the rows: flat means neither the archive
 * nor a file in it is held whole.
 *
 *   npm run build && node dist/bench/engagement-download.js [rows, default 1000000]
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { parseSourceConfig } from '../src/config/source-config.js';
import { archiveEntries } from '../src/intercom/archive.js';
import { openDownload } from '../src/intercom/download.js';
import { engagementRecords } from '../src/streams/content/engagement-csv.js';
import { tarHeader, tarPadding } from '../src/fake-intercom/content-exports.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const TOKEN = 'bench-engagement-token-1';
const HEADER =
  'user_id,email,name,ruleset_id,content_id,content_type,content_title,receipt_id,received_at,first_open,first_click\r\n';
// Fixed-width rows, so the tar header can state the file's size before the rows are generated.
const line = (i: number) =>
  `u${String(i).padStart(9, '0')},p${String(i % 1000).padStart(3, '0')}@example.com,"Zoë, ""the"" Ångström",801,4001,email,"Welcome — 日本語",${String(90_000_000 + i).padStart(10, '0')},${1_717_000_000 + (i % 1_000_000)},${1_717_100_000 + (i % 1_000_000)},\r\n`;
const size = Buffer.byteLength(HEADER) + ROWS * Buffer.byteLength(line(0));

function* tarGz(): Generator<Buffer> {
  yield tarHeader('receipts_20260101_120000.csv', size);
  yield Buffer.from(HEADER);
  for (let i = 0; i < ROWS; i += 1000) {
    let chunk = '';
    for (let j = i; j < Math.min(ROWS, i + 1000); j++) chunk += line(j);
    yield Buffer.from(chunk);
  }
  yield tarPadding(size);
  yield Buffer.alloc(1024);
}

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  Readable.from(tarGz()).pipe(createGzip()).pipe(res);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const config = parseSourceConfig({ access_token: TOKEN, base_url: url }, {});
const started = performance.now();
const body = await openDownload(config, `${url}/download/content/data/bench`, {
  maxBytes: 2 * 1024 ** 3,
  maxInflatedBytes: 20 * 1024 ** 3,
  timeoutMs: 600_000,
});
const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
const samples: string[] = [];
let rows = 0;
let next = ROWS / 10;
const limits = { maxInflatedBytes: 20 * 1024 ** 3, tooBig: (n: number) => new Error(`larger than ${n}`) };
for await (const entry of archiveEntries(body, 'receipts.csv', limits)) {
  for await (const batch of engagementRecords(entry.body, entry.name, { mistyped: new Map() }, 0)) {
    rows += batch.length;
    if (rows >= next) {
      const m = process.memoryUsage();
      samples.push(
        `${String(rows).padStart(9)} rows  heap ${mb(m.heapUsed).padStart(4)} MB  rss ${mb(m.rss).padStart(4)} MB`,
      );
      next += ROWS / 10;
    }
  }
}
server.close();
console.log(samples.join('\n'));
console.log(
  `${rows} rows in ${((performance.now() - started) / 1000).toFixed(1)} s (${Math.round(rows / ((performance.now() - started) / 1000))} rows/s)`,
);
