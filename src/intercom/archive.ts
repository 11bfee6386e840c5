import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import yauzl from 'yauzl';

/**
 * The files inside an export download, one at a time, each as a stream: Intercom documents the
 * content export as "a gzipped folder containing multiple CSVs" (older versions), "a ZIP archive
 * containing one CSV file per data group" (newer ones) and once as "gzipped CSV". So the bytes
 * (already gunzipped by openDownload when they were gzip) are sniffed: a ZIP (`PK\3\4`), a tar
 * (`ustar` at byte 257, also a gzip inside the gzip), or else one plain CSV named `fallbackName`.
 * Nothing is held whole: tar entries stream in order; a ZIP (whose directory is at its end) is
 * spooled to a temporary file, which is removed when the walk ends.
 */
export interface ArchiveEntry {
  name: string;
  body: Readable;
}

export interface ArchiveLimits {
  /** Largest total of the files' decompressed bytes (a zip bomb stops here). */
  maxInflatedBytes: number;
  /** What an overflow error says to do. */
  tooBig: (limit: number) => Error;
}

const SNIFF_BYTES = 512;

/** Reads up to `n` bytes from the start of `input` and gives them back with a stream of everything (head included). */
export async function peek(input: Readable, n: number): Promise<{ head: Buffer; whole: Readable }> {
  const chunks = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let head = Buffer.alloc(0);
  while (head.length < n) {
    const next = await chunks.next();
    if (next.done) break;
    head = Buffer.concat([head, Buffer.from(next.value)]);
  }
  const first = head;
  async function* all(): AsyncGenerator<Buffer> {
    if (first.length) yield first;
    for (;;) {
      const next = await chunks.next();
      if (next.done) return;
      yield Buffer.from(next.value);
    }
  }
  const whole = Readable.from(all(), { objectMode: false });
  whole.once('close', () => input.destroy());
  return { head, whole };
}

export type ArchiveKind = 'zip' | 'tar' | 'gzip' | 'plain';

export function sniffArchive(head: Buffer): ArchiveKind {
  if (head.length >= 4 && head.readUInt32LE(0) === 0x04034b50) return 'zip';
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return 'plain';
}

/** The files of the archive in `input`, in archive order; each body must be read (or left) before the next is asked for. */
export async function* archiveEntries(
  input: Readable,
  fallbackName: string,
  limits: ArchiveLimits,
  depth = 0,
): AsyncGenerator<ArchiveEntry> {
  const { head, whole } = await peek(input, SNIFF_BYTES);
  const kind = sniffArchive(head);
  try {
    if (kind === 'gzip' && depth < 2) {
      const gunzip = createGunzip();
      whole.once('error', (err) => gunzip.destroy(err));
      yield* archiveEntries(whole.pipe(gunzip), fallbackName, limits, depth + 1);
    } else if (kind === 'tar') {
      yield* tarEntries(whole, limits);
    } else if (kind === 'zip') {
      yield* zipEntries(whole, limits);
    } else {
      yield { name: fallbackName, body: counted(whole, { total: 0 }, limits) };
    }
  } finally {
    whole.destroy();
  }
}

/** Passes bytes through, failing once the shared total passes the limit. */
function counted(body: Readable, seen: { total: number }, limits: ArchiveLimits): Readable {
  const limit = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen.total += chunk.length;
      if (seen.total > limits.maxInflatedBytes) return done(limits.tooBig(limits.maxInflatedBytes));
      done(null, chunk);
    },
  });
  body.once('error', (err) => limit.destroy(err));
  return body.pipe(limit);
}

async function* tarEntries(input: Readable, limits: ArchiveLimits): AsyncGenerator<ArchiveEntry> {
  const extract = tarExtract();
  input.once('error', (err) => extract.destroy(err));
  input.pipe(extract);
  const seen = { total: 0 };
  for await (const entry of extract) {
    if (entry.header.type !== 'file') {
      entry.resume();
      continue;
    }
    const body = counted(entry as unknown as Readable, seen, limits);
    yield { name: entry.header.name, body };
    // The next entry comes only after this one is read to its end.
    if (!body.readableEnded) {
      body.resume();
      await new Promise<void>((resolve, reject) => {
        body.once('end', resolve);
        body.once('error', reject);
      });
    }
  }
}

async function* zipEntries(input: Readable, limits: ArchiveLimits): AsyncGenerator<ArchiveEntry> {
  const dir = await mkdtemp(join(tmpdir(), 'intercom-export-'));
  try {
    const file = join(dir, 'export.zip');
    await pipeline(input, createWriteStream(file, { mode: 0o600 }));
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(
        file,
        { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false },
        (err, z) => (err ? reject(err) : resolve(z!)),
      ),
    );
    const seen = { total: 0 };
    try {
      for (;;) {
        const entry = await nextZipEntry(zip);
        if (!entry) return;
        if (entry.fileName.endsWith('/')) continue;
        const raw = await new Promise<Readable>((resolve, reject) =>
          zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s!))),
        );
        const body = counted(raw, seen, limits);
        yield { name: entry.fileName, body };
        if (!body.readableEnded) await drain(body);
      }
    } finally {
      zip.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function nextZipEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (e: yauzl.Entry) => (cleanup(), resolve(e));
    const onEnd = () => (cleanup(), resolve(undefined));
    const onError = (err: Error) => (cleanup(), reject(err));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function drain(body: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    body.once('end', resolve);
    body.once('error', reject);
    body.pipe(new PassThrough()).resume();
  });
}
