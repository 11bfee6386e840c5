import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfiguredAirbyteCatalog } from '../src/protocol/catalog.js';
import { streamCatalog } from '../src/streams/registry.js';
import { validateAirbyteDefinition } from './helpers/protocol.js';

describe('catalog.sample.json', () => {
  const sample = JSON.parse(readFileSync(new URL('../catalog.sample.json', import.meta.url), 'utf8')) as {
    streams: unknown[];
  };

  it('is a valid ConfiguredAirbyteCatalog', () => {
    expect(validateAirbyteDefinition('ConfiguredAirbyteCatalog', sample)).toBeUndefined();
  });

  it('selects every stream the connector has, incrementally where it can (regenerate: node scripts/gen-sample-catalog.mjs)', () => {
    const selected = parseConfiguredAirbyteCatalog(sample);
    expect(selected.map((s) => s.name).sort()).toEqual([...streamCatalog().keys()].sort());
    for (const s of selected)
      expect(s.syncMode).toBe(streamCatalog().get(s.name)!.spec.cursorField ? 'incremental' : 'full_refresh');
  });
});
