// The export archive reader: whatever Intercom sends (tar.gz, zip, a gzip CSV, a plain CSV), the
// files come out by name with their exact bytes, one at a time, within the size bound.
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { tar, zipStored } from '../fake-intercom/content-exports.js';
import { archiveEntries, sniffArchive } from './archive.js';

const FILES = [
  { name: 'receipts_20260101_120000.csv', data: Buffer.from('a,b\r\n"x, ""y""\nz",Ünï 日本\r\n', 'utf8') },
  { name: 'clicks_20260101_120000.csv', data: Buffer.from('c\r\n1\r\n'.repeat(3000), 'utf8') },
];
const limits = (max = 1e9) => ({ maxInflatedBytes: max, tooBig: (n: number) => new Error(`bigger than ${n}`) });

/** A readable that hands out `bytes` in small chunks (sniffing must not depend on chunking). */
const chunked = (bytes: Buffer, size = 7): Readable =>
  Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    })(),
  );

async function readAll(
  input: Readable,
  fallback = 'receipts.csv',
  max?: number,
): Promise<{ name: string; data: Buffer }[]> {
  const out: { name: string; data: Buffer }[] = [];
  for await (const entry of archiveEntries(input, fallback, limits(max))) {
    const parts: Buffer[] = [];
    for await (const chunk of entry.body) parts.push(chunk as Buffer);
    out.push({ name: entry.name, data: Buffer.concat(parts) });
  }
  return out;
}

function deflatedZip(): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const f of FILES) zip.addBuffer(f.data, `export/${f.name}`, { compress: true });
  zip.end();
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    zip.outputStream
      .on('data', (c: Buffer) => parts.push(c))
      .on('end', () => resolve(Buffer.concat(parts)))
      .on('error', reject);
  });
}

describe('archiveEntries', () => {
  it('reads a gzipped tar ("a gzipped folder"), in small chunks', async () => {
    expect(await readAll(chunked(gzipSync(tar(FILES))))).toEqual(FILES);
  });

  it('reads a stored zip and a deflated zip with folders ("a ZIP archive")', async () => {
    expect(await readAll(chunked(zipStored(FILES), 1000))).toEqual(FILES);
    expect(await readAll(Readable.from([await deflatedZip()]))).toEqual(
      FILES.map((f) => ({ ...f, name: `export/${f.name}` })),
    );
  });

  it('reads a single gzip CSV and a plain CSV under the fallback name', async () => {
    expect(await readAll(chunked(gzipSync(FILES[0]!.data)))).toEqual([{ name: 'receipts.csv', data: FILES[0]!.data }]);
    expect(await readAll(Readable.from([FILES[0]!.data]))).toEqual([{ name: 'receipts.csv', data: FILES[0]!.data }]);
  });

  it('an entry that is not read is skipped, and the next one is whole', async () => {
    const names: string[] = [];
    let second = Buffer.alloc(0);
    for await (const entry of archiveEntries(Readable.from([gzipSync(tar(FILES))]), 'x.csv', limits())) {
      names.push(entry.name);
      if (names.length === 2) for await (const c of entry.body) second = Buffer.concat([second, c as Buffer]);
    }
    expect(names).toEqual(FILES.map((f) => f.name));
    expect(second).toEqual(FILES[1]!.data);
  });

  it('stops with the size error once the files together pass the bound', async () => {
    await expect(readAll(Readable.from([zipStored(FILES)]), 'x.csv', 1000)).rejects.toThrow('bigger than 1000');
    await expect(readAll(Readable.from([gzipSync(tar(FILES))]), 'x.csv', 1000)).rejects.toThrow('bigger than 1000');
  });

  it('sniffs by magic bytes', () => {
    expect(sniffArchive(zipStored(FILES))).toBe('zip');
    expect(sniffArchive(gzipSync(Buffer.from('x')))).toBe('gzip');
    expect(sniffArchive(tar(FILES))).toBe('tar');
    expect(sniffArchive(Buffer.from('user_id,receipt_id\n'))).toBe('plain');
  });
});
