import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { streamCatalog } from '../src/streams/registry.js';
import { repoRoot } from './helpers/run-cli.js';

/** The README is the user's first five minutes: every setting and stream the connector has is in it. */
const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

describe('README', () => {
  it.each(['source', 'destination'])('documents every key of schemas/config/%s.json', (name) => {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'config', `${name}.json`), 'utf8')) as {
      properties: Record<string, unknown>;
    };
    const missing = Object.keys(schema.properties).filter((key) => !readme.includes(`\`${key}\``));
    expect(missing).toEqual([]);
  });

  it('lists every stream in the stream table', () => {
    const missing = [...streamCatalog().keys()].filter((stream) => !new RegExp(`^\\| ${stream} \\|`, 'm').test(readme));
    expect(missing).toEqual([]);
  });

  it('gives the two commands of the first five minutes exactly', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toMatch(/```sh\nnpm test\n```/);
  });
});
