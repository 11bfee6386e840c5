#!/usr/bin/env node
// Writes catalog.sample.json, catalog.quickstart.json and the Airbyte acceptance-test fixtures (spec, catalogs, abnormal state) in integration_tests/ from
// the connector's own discover output. Needs `npm run build` first. Usage: node scripts/gen-sample-catalog.mjs
import { mkdirSync, writeFileSync } from 'node:fs';
import { airbyteSpec } from '../dist/src/cli/airbyte-cli.js';
import { airbyteCatalog } from '../dist/src/protocol/catalog.js';
import { STREAMS } from '../dist/src/streams/catalog.js';

const root = new URL('../', import.meta.url);
const write = (path, value) => writeFileSync(new URL(path, root), JSON.stringify(value, null, 2) + '\n');
const streams = airbyteCatalog().streams;

function configured(s, mode) {
  const incremental = mode === 'incremental';
  return {
    stream: {
      name: s.name,
      json_schema: {},
      supported_sync_modes: s.supported_sync_modes,
      source_defined_cursor: s.source_defined_cursor,
      ...(s.default_cursor_field ? { default_cursor_field: s.default_cursor_field } : {}),
      source_defined_primary_key: s.source_defined_primary_key,
    },
    sync_mode: mode,
    ...(incremental ? { cursor_field: s.default_cursor_field } : {}),
    destination_sync_mode: incremental ? 'append_dedup' : 'overwrite',
    primary_key: s.source_defined_primary_key,
  };
}

const canIncrement = (s) => s.supported_sync_modes.includes('incremental');
write('catalog.sample.json', {
  streams: streams.map((s) => configured(s, canIncrement(s) ? 'incremental' : 'full_refresh')),
});
// A first real run: the streams the stream table marks `quickstart` (the core streams and their junctions). Not the
// per-contact streams (events, notes: one request per contact) and nothing that needs Read tickets or Read content data.
const QUICKSTART = STREAMS.filter((s) => s.quickstart).map((s) => s.name);
write('catalog.quickstart.json', {
  streams: streams
    .filter((s) => QUICKSTART.includes(s.name))
    .map((s) => configured(s, canIncrement(s) ? 'incremental' : 'full_refresh')),
});
mkdirSync(new URL('integration_tests/', root), { recursive: true });
write('integration_tests/configured_catalog.json', { streams: streams.map((s) => configured(s, 'full_refresh')) });
write('integration_tests/incremental_catalog.json', {
  streams: streams.filter(canIncrement).map((s) => configured(s, 'incremental')),
});
// Cursor values far in the future: an incremental read must return no records.
write(
  'integration_tests/abnormal_state.json',
  streams.filter(canIncrement).map((s) => ({
    type: 'STREAM',
    stream: { stream_descriptor: { name: s.name }, stream_state: { [s.default_cursor_field[0]]: 4102444800 } },
  })),
);
write('integration_tests/spec.json', airbyteSpec());
console.log(`catalog.sample.json and integration_tests/: ${streams.length} streams`);
