#!/usr/bin/env node
// Writes catalog.sample.json: every discovered stream, incremental where supported.
// Needs `npm run build` first (it reads the built catalog code). Usage: node scripts/gen-sample-catalog.mjs
import { writeFileSync } from 'node:fs';
import { airbyteCatalog } from '../dist/src/engine/catalog.js';

const streams = airbyteCatalog().streams.map((s) => {
  const incremental = s.supported_sync_modes.includes('incremental');
  return {
    stream: {
      name: s.name,
      json_schema: {},
      supported_sync_modes: s.supported_sync_modes,
      source_defined_cursor: s.source_defined_cursor,
      ...(s.default_cursor_field ? { default_cursor_field: s.default_cursor_field } : {}),
      source_defined_primary_key: s.source_defined_primary_key,
    },
    sync_mode: incremental ? 'incremental' : 'full_refresh',
    ...(incremental ? { cursor_field: s.default_cursor_field } : {}),
    destination_sync_mode: incremental ? 'append_dedup' : 'overwrite',
    primary_key: s.source_defined_primary_key,
  };
});
writeFileSync(new URL('../catalog.sample.json', import.meta.url), JSON.stringify({ streams }, null, 2) + '\n');
console.log(`catalog.sample.json: ${streams.length} streams`);
