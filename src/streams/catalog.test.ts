import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STREAMS, specOf, syncModesOf } from './catalog.js';
import { permissionFor } from './permissions.js';
import { READERS, streamCatalog } from './registry.js';

const root = new URL('../../', import.meta.url);

describe('the stream table', () => {
  it('has one entry per schema file, and each name once', () => {
    const schemaFiles = readdirSync(new URL('schemas/streams/', root))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.slice(0, -5));
    expect(STREAMS.map((s) => s.name).sort()).toEqual(schemaFiles.sort());
    expect(new Set(STREAMS.map((s) => s.name)).size).toBe(STREAMS.length);
  });

  it('is what the registry runs: every stream, in table order, with its key and cursor', () => {
    expect([...streamCatalog().values()].map((e) => e.spec)).toEqual(STREAMS.map(specOf));
    expect(READERS.flatMap((r) => r.streams)).toEqual(STREAMS.map(specOf));
  });

  it('names existing parents, parents before their children', () => {
    const names = STREAMS.map((s) => s.name);
    for (const [index, s] of STREAMS.entries()) {
      if (s.parent) expect(names.indexOf(s.parent.stream), s.name).toBeGreaterThanOrEqual(0);
      if (s.parent) expect(names.indexOf(s.parent.stream), s.name).toBeLessThan(index);
    }
  });

  it('gives every plain list an endpoint the generic reader can page', () => {
    for (const s of STREAMS.filter((x) => x.reader === 'list')) {
      expect(s.endpoint?.method, s.name).toBe('GET');
      expect(['cursor', 'page-number', 'unpaged'], s.name).toContain(s.pagination);
      expect(s.cursor, `${s.name}: the generic reader reads full refresh only`).toBeUndefined();
    }
  });

  it.each(STREAMS.filter((s) => s.endpoint && s.permission).map((s) => [s.name, s] as const))(
    '%s: a 403 on its endpoint names its permission',
    (_name, s) => {
      const concrete = s.endpoint!.path.replace(/\{[^}]+\}/g, '123');
      expect(permissionFor(`${s.endpoint!.method} ${concrete}`)).toBe(s.permission);
    },
  );

  it('maps endpoints no stream lists to their family, and unknown ones to nothing', () => {
    expect(permissionFor('GET /contacts/123/tags')).toBe('Read and list users and companies');
    expect(permissionFor('GET /companies/c1/segments')).toBe('Read and list users and companies');
    expect(permissionFor('GET /contacts/123/notes?page=2')).toBe('Read one user and one company');
    expect(permissionFor('GET /export/reporting_data/get_datasets')).toBe('Read reporting datasets');
    expect(permissionFor('GET /download/reporting_data/job1')).toBe('Export reporting data');
    expect(permissionFor('GET /me')).toBeUndefined();
    expect(permissionFor('GET /ticketsx')).toBeUndefined();
  });
});

describe('README stream table', () => {
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  const header = '| stream | primary key | cursor | sync modes | from |';
  const rows = readme
    .slice(readme.indexOf(header))
    .split('\n')
    .slice(2)
    .filter((line, i, all) => line.startsWith('| ') && all.slice(0, i).every((l) => l.startsWith('| ')))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  const plain = (cell: string) => cell.replace(/\s*\([^)]*\)/g, '');

  it('lists every stream of the table, in its order', () => {
    expect(rows.map((r) => r[0])).toEqual(STREAMS.map((s) => s.name));
  });

  it.each(STREAMS.map((s, i) => [s.name, i] as const))(
    '%s: key, cursor and sync modes as the table says',
    (_name, i) => {
      const s = STREAMS[i]!;
      const [, key, cursor, modes] = rows[i]!;
      expect(plain(key!).split(', ')).toEqual(s.primaryKey);
      expect(cursor).toBe(s.cursor ?? '');
      expect(plain(modes!).split(', ')).toEqual(syncModesOf(s).map((m) => m.replace('_', ' ')));
    },
  );
});
