import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { airbyteSpec } from '../src/cli/airbyte-cli.js';
import { airbyteCatalog } from '../src/protocol/catalog.js';
import { validateAirbyteDefinition } from './helpers/protocol.js';
import { repoRoot } from './helpers/run-cli.js';

const read = (path: string): unknown => JSON.parse(readFileSync(join(repoRoot, path), 'utf8'));
const pkg = read('package.json') as { version: string };

describe('Airbyte metadata.yaml and acceptance-test-config.yml', () => {
  const metadata = parseYaml(readFileSync(join(repoRoot, 'metadata.yaml'), 'utf8')) as {
    data: Record<string, unknown>;
    metadataSpecVersion: string;
  };
  const acceptance = parseYaml(readFileSync(join(repoRoot, 'acceptance-test-config.yml'), 'utf8')) as {
    connector_image: string;
    acceptance_tests: Record<string, { tests: Record<string, unknown>[] }>;
  };

  it('metadata.yaml names a source with the package version and a docker repository', () => {
    expect(metadata.data.connectorType).toBe('source');
    expect(metadata.data.dockerImageTag).toBe(pkg.version);
    expect(String(metadata.data.definitionId)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(acceptance.connector_image.startsWith(`${String(metadata.data.dockerRepository)}:`)).toBe(true);
  });

  it('every fixture the acceptance tests reference exists (secrets/ excepted) and is valid', () => {
    const paths = Object.values(acceptance.acceptance_tests).flatMap((suite) =>
      suite.tests.flatMap((t) =>
        [
          t.spec_path,
          t.config_path,
          t.configured_catalog_path,
          (t.future_state as { future_state_path?: string } | undefined)?.future_state_path,
        ].filter((p): p is string => typeof p === 'string'),
      ),
    );
    expect(paths.length).toBeGreaterThan(5);
    for (const path of paths.filter((p) => !p.startsWith('secrets/')))
      expect(existsSync(join(repoRoot, path)), path).toBe(true);
    for (const catalog of ['integration_tests/configured_catalog.json', 'integration_tests/incremental_catalog.json']) {
      expect(validateAirbyteDefinition('ConfiguredAirbyteCatalog', read(catalog)), catalog).toBeUndefined();
    }
    for (const state of read('integration_tests/abnormal_state.json') as unknown[])
      expect(validateAirbyteDefinition('AirbyteStateMessage', state)).toBeUndefined();
  });

  it('fixtures are current (regenerate: npm run build && node scripts/gen-sample-catalog.mjs)', () => {
    expect(read('integration_tests/spec.json')).toEqual(JSON.parse(JSON.stringify(airbyteSpec())));
    const names = (airbyteCatalog().streams as { name: string }[]).map((s) => s.name).sort();
    const fixture = (
      read('integration_tests/configured_catalog.json') as { streams: { stream: { name: string } }[] }
    ).streams
      .map((s) => s.stream.name)
      .sort();
    expect(fixture).toEqual(names);
  });
});
