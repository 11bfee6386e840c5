/**
 * Memory of a reporting export download: a local server streams a gzip CSV of N rows (generated on
 * the fly), the connector's download + CSV path turns it into records. Prints heap and RSS every
 * 10 % of the rows: flat means the file is never held whole.
 *
 *   npm run build && node dist/bench/reporting-download.js [rows, default 1000000]
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { parseSourceConfig } from '../src/config/source-config.js';
import { openDownload } from '../src/intercom/download.js';
import { csvRecords } from '../src/streams/reporting/csv-rows.js';
import { parseDataset } from '../src/streams/reporting/datasets.js';

const ROWS = Number(process.argv[2] ?? 1_000_000);
const TOKEN = 'bench-reporting-token-1';

const dataset = parseDataset({
  id: 'conversation',
  default_time_attribute_id: 'conversation_started_at',
  attributes: [
    { id: 'conversation_id', qualified_id: 'standard.conversation_id', data_type: 'string' },
    { id: 'conversation_started_at', qualified_id: 'standard.conversation_started_at', data_type: 'datetime' },
    { id: 'first_response_time_seconds', qualified_id: 'standard.first_response_time_seconds', data_type: 'integer' },
    { id: 'csat_rating', qualified_id: 'standard.csat_rating', data_type: 'float' },
    { id: 'subject', qualified_id: 'standard.subject', data_type: 'string' },
  ],
})!;

function* csvLines(): Generator<string> {
  yield 'conversation_id,conversation_started_at,first_response_time_seconds,csat_rating,subject\r\n';
  for (let i = 0; i < ROWS; i++)
    yield `${70_000_000 + i},${1_717_000_000 + i},${i % 90_000},${(i % 10) / 2},"Subject, ""quoted"" — ${i}\nsecond line"\r\n`;
}

const server = http.createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  Readable.from(csvLines()).pipe(createGzip()).pipe(res);
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const config = parseSourceConfig({ access_token: TOKEN, base_url: url }, {});
const started = performance.now();
const body = await openDownload(config, `${url}/download/reporting_data/bench`, {
  maxBytes: 2 * 1024 ** 3,
  maxInflatedBytes: 20 * 1024 ** 3,
  timeoutMs: 600_000,
});
const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
const samples: string[] = [];
let rows = 0;
let next = ROWS / 10;
for await (const batch of csvRecords(body, dataset, { mistyped: new Map() }, 0)) {
  rows += batch.length;
  if (rows >= next) {
    const m = process.memoryUsage();
    samples.push(
      `${String(rows).padStart(9)} rows  heap ${mb(m.heapUsed).padStart(4)} MB  rss ${mb(m.rss).padStart(4)} MB`,
    );
    next += ROWS / 10;
  }
}
server.close();
console.log(samples.join('\n'));
console.log(
  `${rows} rows in ${((performance.now() - started) / 1000).toFixed(1)} s (${Math.round(rows / ((performance.now() - started) / 1000))} rows/s)`,
);
