import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Folder layering of src/: each folder may import only the folders below it (and itself), so
// dependencies stay one-way and cycle-free. Type-only imports count: a type import that climbs
// up couples the layers as much as a value import does.
//
//   cli > demo > fake-intercom > destination > engine > protocol > transform > streams > intercom > config > util > core, generated
//
// Protocol and transform sit beside the engine in the design; here they get a strict order so
// "beside" cannot turn into a cycle (the catalog formats in protocol/ apply the transform's plans).
const LAYERS: readonly (readonly string[])[] = [
  ['cli'],
  ['demo'],
  ['fake-intercom'],
  ['destination'],
  ['engine'],
  ['protocol'],
  ['transform'],
  ['streams'],
  ['intercom'],
  ['config'],
  ['util'],
  ['core', 'generated'],
];

/** Imports that leave src/ on purpose: none (the fake Intercom the demo starts is src/fake-intercom). */
const OUTSIDE_SRC: Readonly<Record<string, readonly string[]>> = {};

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

// Static `import ... from`, `export ... from` (type-only included) and dynamic `import('...')`.
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2]!;
    if (spec.startsWith('.')) found.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
  }
  return found;
}

const folderOf = (file: string): string => relative(src, file).split(sep)[0]!;
const rankOf = (folder: string): number => LAYERS.findIndex((layer) => layer.includes(folder));
const files = sourceFiles(src);
const graph = new Map(files.map((file) => [file, relativeImports(file)]));

describe('folder layering', () => {
  it('knows every folder of src/', () => {
    const unknown = [...new Set(files.map(folderOf))].filter((folder) => rankOf(folder) < 0);
    expect(unknown, 'add new folders to LAYERS').toEqual([]);
  });

  it('sees the imports it checks (the parser is not silently empty)', () => {
    expect([...graph.values()].flat().length).toBeGreaterThan(300);
    expect(relativeImports(join(src, 'engine', 'sync.ts')).map(folderOf)).toContain('streams');
  });

  it('every import points down (type-only imports included)', () => {
    const upward: string[] = [];
    for (const [file, imports] of graph) {
      const from = folderOf(file);
      for (const target of imports) {
        const where = `${relative(root, file)} -> ${relative(root, target)}`;
        if (!target.startsWith(src + sep)) {
          const allowed = (OUTSIDE_SRC[from] ?? []).some((prefix) => relative(root, target).startsWith(prefix));
          if (!allowed) upward.push(`${where} (outside src/)`);
          continue;
        }
        const to = folderOf(target);
        if (to !== from && rankOf(to) <= rankOf(from)) upward.push(where);
      }
    }
    expect(upward).toEqual([]);
  });

  it('no import cycle between files', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(src, f)).join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const target of graph.get(file) ?? []) if (graph.has(target)) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
