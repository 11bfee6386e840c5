import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cur, startFakeIntercom, type FakeIntercom } from '../../src/fake-intercom/index.js';
import { assertAirbyteMessage } from '../helpers/protocol.js';
import { BIN, runCli, type CliRun } from '../helpers/run-cli.js';
import {
  airbyteRecord,
  airbyteState,
  destinationFiles,
  echoedAirbyteStates,
  jsonl,
  singerRecord,
  singerSchema,
  singerState,
  writeSummary,
  type DestinationFiles,
} from './destination-helpers.js';

/**
 * Trust boundaries of the destination, through the built CLI against the fake Intercom: crafted
 * identifiers never reach another endpoint, undecodable input and JavaScript-internal field names
 * are dead-lettered, and output files that are links are refused.
 */
// Random letters, so that any 8 characters of it found in an output are a leak, not a coincidence.
const TOKEN = 'Kq4Zt8Xw2Mv6Rb9Lp3Hn7Cj5Fd1Gs0Ye';

let fake: FakeIntercom;

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 33,
    token: TOKEN,
    size: { contacts: 12, companies: 3, conversations: 2, tickets: 2, largeConversations: 0, largeTickets: 0 },
  });
});
afterAll(async () => {
  await fake.close();
});

describe('Airbyte write: crafted identifiers, invalid UTF-8 and reserved field names', () => {
  let files: DestinationFiles;
  let run: CliRun;
  let tagId: string;
  let contactId: string;

  beforeAll(async () => {
    const contact = fake.workspace.contacts.find((c) => c.tagIdxs.length > 0 && !cur(c).deleted)!;
    contactId = contact.id;
    tagId = fake.workspace.tags[contact.tagIdxs[0]!]!.id;
    fake.resetStats();
    fake.writes.log.length = 0;
    const streams = ['contact_untags', 'contact_deletes', 'notes', 'generic_notes', 'contacts', 'companies'];
    files = destinationFiles(fake, TOKEN, streams, {
      streams: {
        contact_untags: { object: 'contact_tags', operation: 'detach' },
        contact_deletes: { object: 'contacts', operation: 'delete' },
        generic_notes: { method: 'PUT', path: '/contacts/{id}/notes' },
      },
    });
    // An email with an invalid byte (0xff) where '@' belongs: the whole line must be refused.
    const corrupted = Buffer.concat([
      Buffer.from('{"type":"RECORD","record":{"stream":"contacts","data":{"external_id":"utf8-1","email":"ada'),
      Buffer.from([0xff]),
      Buffer.from('example.com"},"emitted_at":1}}\n'),
    ]);
    const text = (lines: string[]): Buffer => Buffer.from(lines.map((l) => l + '\n').join(''));
    const stdin = Buffer.concat([
      text([
        airbyteRecord('contact_untags', { contact_id: '..', tag_id: tagId }),
        airbyteRecord('contact_deletes', { id: '..' }),
        airbyteRecord('contact_deletes', { id: '%2e%2e' }),
        airbyteRecord('notes', { contact_id: '..', body: 'to /notes?' }),
        airbyteRecord('generic_notes', { id: '..', body: 'x' }),
        airbyteRecord('contact_untags', { contact_id: `${TOKEN}/..`, tag_id: tagId }),
        airbyteRecord('companies', { company_id: 'trust-co-1', name: 'Fine Co' }),
      ]),
      corrupted,
      text([
        JSON.stringify({
          type: 'RECORD',
          record: {
            stream: 'companies',
            data: JSON.parse('{"company_id":"trust-co-2","constructor":"x"}') as object,
            emitted_at: 1,
          },
        }),
        '{"type":"RECORD","record":{"stream":"companies","data":{"company_id":"trust-co-3","__proto__":{"name":"polluted"}},"emitted_at":1}}',
        airbyteState(1, 'companies'),
      ]),
    ]);
    // runCli writes stdin with stream.end(), which takes bytes as well as text.
    run = await runCli(BIN.airbyte, ['write', '--config', files.config, '--catalog', files.catalog], {
      stdin: stdin as unknown as string,
    });
  });

  it('exits 0 with valid Airbyte messages and echoes the STATE (every record before it is written or dead-lettered)', () => {
    expect(run.code, run.stderr + run.stdout.slice(-3000)).toBe(0);
    for (const line of run.lines) assertAirbyteMessage(line);
    expect(echoedAirbyteStates(run)).toEqual([1]);
  });

  it('only the valid company reached Intercom: no request to /tags, /notes, / or any other path', () => {
    expect(fake.stats.byRoute).toEqual({ 'POST /companies': 1 });
    expect(fake.writes.log.map((e) => `${e.method} ${e.path}`)).toEqual(['POST /companies']);
    expect(fake.writes.tagOps).toEqual([]);
    expect(fake.workspace.tags.map((t) => t.id)).toContain(tagId);
    expect(fake.workspace.contactById.get(contactId) && !cur(fake.workspace.contactById.get(contactId)!).deleted).toBe(
      true,
    );
  });

  it('dead-letters each crafted record with its reason, naming the field; the counts agree', () => {
    const dead = jsonl(files.deadLetterPath);
    expect(dead.map((d) => [d.stream, d.code])).toEqual([
      ['contact_untags', 'invalid_identifier'],
      ['contact_deletes', 'invalid_identifier'],
      ['contact_deletes', 'invalid_identifier'],
      ['notes', 'invalid_identifier'],
      ['generic_notes', 'invalid_identifier'],
      ['contact_untags', 'invalid_identifier'],
      ['contacts', 'invalid_utf8'],
      ['companies', 'invalid_record'],
      ['companies', 'invalid_record'],
    ]);
    expect(dead[0]!.message).toContain('record.contact_id');
    expect(dead[1]!.message).toContain('record.id');
    expect(dead[7]!.message).toContain('record.constructor');
    expect(dead[8]!.message).toContain('record.__proto__');
    expect(dead[6]).toMatchObject({ line: expect.stringContaining('ada\ufffdexample.com') });
    const summary = writeSummary(run);
    expect(summary.streams.companies).toMatchObject({ received: 3, written: 1, failed: 2 });
    expect(summary.streams.contact_untags).toMatchObject({ received: 2, written: 0, failed: 2 });
    expect(summary.streams.contacts).toMatchObject({ received: 1, written: 0, failed: 1 });
    expect(summary.dead_letters).toBe(9);
  });

  it('the corrupted email was never written, and no 8 characters of the token appear in any output or file', () => {
    for (const written of fake.writes.contacts.values()) expect(JSON.stringify(written)).not.toContain('\ufffd');
    const outputs = [
      run.stdout,
      run.stderr,
      readFileSync(files.deadLetterPath, 'utf8'),
      readFileSync(files.responsesPath, 'utf8'),
    ].join('\n');
    for (let i = 0; i + 8 <= TOKEN.length; i++)
      expect(outputs, `token fragment at ${i}`).not.toContain(TOKEN.slice(i, i + 8));
  });
});

describe('target-intercom: an output file that is a symbolic link', () => {
  it('is refused before reading stdin, naming the field; the linked file is untouched', async () => {
    const files = destinationFiles(fake, TOKEN, ['companies']);
    const victim = join(files.dir, 'victim.txt');
    writeFileSync(victim, 'keep me\n');
    const link = join(files.dir, 'link.jsonl');
    symlinkSync(victim, link);
    const config = { ...(JSON.parse(readFileSync(files.config, 'utf8')) as object), dead_letter_path: link };
    writeFileSync(files.config, JSON.stringify(config));
    fake.resetStats();
    const run = await runCli(BIN.target, ['--config', files.config], {
      stdin:
        [singerSchema('companies'), singerRecord('companies', { company_id: 'x' }), singerState(1)].join('\n') + '\n',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/CRITICAL config.dead_letter_path '.*link.jsonl' is a symbolic link/);
    expect(run.stdout).toBe('');
    expect(fake.stats.totalRequests).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('keep me\n');
  });
});
