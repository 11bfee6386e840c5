#!/usr/bin/env node
// Bundles the three command-line entry points of dist/src (tsc's output) into dist/bin with esbuild:
// one ES module per command plus shared chunks. Node then loads a handful of files instead of about
// 230 modules of ours and the dependencies', which takes a read's first request from ~0.35 s to
// ~0.2 s after the process starts (README, "Tuning"). The commands behave the same: the e2e tests,
// the demo and the bench all run these files.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist', 'bin');
rmSync(outdir, { recursive: true, force: true });

await build({
  entryPoints: ['intercom-connector', 'tap-intercom', 'target-intercom'].map((name) =>
    join(root, 'dist', 'src', 'cli', `${name}.js`),
  ),
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  // CommonJS dependencies (ajv, its formats) call require() for Node's own modules: an ES module
  // has no require, so each output file makes one.
  banner: {
    js: "import { createRequire as __icCreateRequire } from 'node:module'; const require = __icCreateRequire(import.meta.url);",
  },
  legalComments: 'linked',
  logLevel: 'warning',
});
