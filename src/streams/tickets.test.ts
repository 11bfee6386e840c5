import { describe, expect, it } from 'vitest';
import { IntercomApiError } from '../intercom/errors.js';
import { MissingPermissionError, namingPermissions, permissionFor } from './permissions.js';
import { TICKET_PART_CAP, ticketPartsWarning } from './tickets.js';
import type { ReadContext, Reader } from './types.js';

const parts = (n: number) => Array.from({ length: n }, (_, i) => ({ id: String(i) }));

describe('ticketPartsWarning (Intercom returns at most 500 parts per ticket)', () => {
  it('names the ticket and the missing count when total_count says more exist', () => {
    const warning = ticketPartsWarning('77', {}, parts(500), { total_count: 620 });
    expect(warning).toMatch(/^PARTS_TRUNCATED ticket 77: /);
    expect(warning).toContain('120 older parts (of 620)');
  });

  it('warns when a ticket returns exactly the cap, even without a count', () => {
    expect(ticketPartsWarning('78', {}, parts(TICKET_PART_CAP), { total_count: TICKET_PART_CAP })).toMatch(
      /^PARTS_TRUNCATED ticket 78: .*500 parts/,
    );
  });

  it('says nothing for a ticket below the cap', () => {
    expect(ticketPartsWarning('79', {}, parts(499), { total_count: 499 })).toBeUndefined();
  });
});

describe('permissions', () => {
  it('maps the endpoint that answered 403 to the Developer Hub permission', () => {
    expect(permissionFor('POST /tickets/search')).toBe('Read tickets');
    expect(permissionFor('GET /tickets/123')).toBe('Read tickets');
    expect(permissionFor('GET /ticket_types')).toBe('Read tickets');
    expect(permissionFor('GET /admins/activity_logs')).toBe('Read admins');
    expect(permissionFor('GET /help_center/collections')).toBe('Read content data');
    expect(permissionFor('GET /events')).toBe('Read events');
    expect(permissionFor('POST /contacts/search')).toBe('Read and list users and companies');
    expect(permissionFor('GET /unknown')).toBeUndefined();
  });

  const failing = (err: Error): Reader => ({
    streams: [
      { name: 'tickets', primaryKey: ['id'] },
      { name: 'ticket_parts', primaryKey: ['id'] },
    ],
    async *read() {
      throw err;
    },
  });
  const ctx = { selected: new Set(['tickets', 'ticket_parts']) } as unknown as ReadContext;
  const drain = async (reader: Reader) => {
    for await (const _ of reader.read(ctx)) void _;
  };

  it('turns a 403 into a config_error that names the permission and the streams, keeping status 403', async () => {
    const original = new IntercomApiError({
      endpoint: 'POST /tickets/search',
      status: 403,
      transient: false,
      message: 'forbidden',
    });
    const err = await drain(namingPermissions(failing(original))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MissingPermissionError);
    const missing = err as MissingPermissionError;
    expect(missing.status).toBe(403);
    expect(missing.failureType).toBe('config_error');
    expect(missing.permission).toBe('Read tickets');
    expect(missing.message).toContain('"Read tickets"');
    expect(missing.message).toContain('tickets, ticket_parts');
  });

  it('passes other errors through unchanged', async () => {
    const original = new IntercomApiError({
      endpoint: 'POST /tickets/search',
      status: 400,
      transient: false,
      message: 'bad',
    });
    await expect(drain(namingPermissions(failing(original)))).rejects.toBe(original);
  });
});
