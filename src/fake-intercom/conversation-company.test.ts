// API 2.15 adds `company` to conversations (the 2.15 OpenAPI: a nullable `company` component on
// `conversation` and `conversation_list_item`); 2.14 answers have no such field.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../util/package-root.js';
import { startFakeIntercom, type FakeIntercom } from './index.js';
import { loadOpenApiValidator } from '../../test/helpers/openapi-validator.js';
import { ALLOW_EXTRA, NOW, apiHeaders, get, post, type J } from '../../test/helpers/fake-intercom.js';

const v215 = loadOpenApiValidator({
  strict: true,
  allowExtra: ALLOW_EXTRA,
  path: join(packageRoot, 'spec', 'intercom-openapi', '2.15', 'api.intercom.io.yaml'),
});
const H215 = apiHeaders('fake-token', '2.15');

let fake: FakeIntercom;
let conversations: J[];

beforeAll(async () => {
  fake = await startFakeIntercom({
    seed: 7,
    now: NOW,
    size: { contacts: 40, companies: 6, conversations: 30, tickets: 0, largeConversations: 0, largeTickets: 0 },
  });
  conversations = (await get(fake.url, '/conversations?per_page=150')).body.conversations;
});
afterAll(async () => {
  await fake?.close();
});

/** The companies of the contact who started the conversation, as the contact endpoints list them. */
async function companiesOfFirstContact(conversation: J): Promise<string[]> {
  const first = conversation.contacts.contacts[0];
  if (!first) return [];
  const r = await get(fake.url, `/contacts/${first.id}/companies?per_page=60`);
  return (r.body.data as J[]).map((c) => c.id as string);
}

describe('conversation company (API 2.15)', () => {
  it('is the company of the contact who started it, as GET /companies/{id} serves it, or null', async () => {
    let withCompany = 0;
    let without = 0;
    for (const listed of conversations) {
      const r = await get(fake.url, `/conversations/${listed.id}`, H215);
      expect(r.status).toBe(200);
      expect(v215.validate('conversation', r.body), `conversation ${listed.id}`).toEqual([]);
      expect(r.body).toHaveProperty('company');
      const candidates = await companiesOfFirstContact(listed);
      if (candidates.length === 0) {
        expect(r.body.company).toBeNull();
        without++;
      } else {
        expect(candidates).toContain(r.body.company.id);
        expect(r.body.company).toEqual((await get(fake.url, `/companies/${r.body.company.id}`)).body);
        withCompany++;
      }
    }
    // The workspace has both kinds, so both branches above ran.
    expect(withCompany).toBeGreaterThan(0);
    expect(without).toBeGreaterThan(0);
  });

  it('is in the 2.15 list and search answers, and in no 2.14 answer (cached texts per version)', async () => {
    const list215 = await get(fake.url, '/conversations?per_page=150', H215);
    expect(v215.validate('conversation_list', list215.body)).toEqual([]);
    for (const c of list215.body.conversations as J[]) expect(c).toHaveProperty('company');
    const query = { query: { field: 'updated_at', operator: '>', value: 0 }, pagination: { per_page: 150 } };
    const search215 = await post(fake.url, '/conversations/search', query, H215);
    for (const c of search215.body.conversations as J[]) expect(c).toHaveProperty('company');

    const list214 = await get(fake.url, '/conversations?per_page=150');
    const search214 = await post(fake.url, '/conversations/search', query);
    const one214 = await get(fake.url, `/conversations/${conversations[0].id}`);
    for (const c of [...list214.body.conversations, ...search214.body.conversations, one214.body])
      expect(c).not.toHaveProperty('company');
  });

  it('follows a change of the company (the embedded copy is rendered anew)', async () => {
    const before = (await get(fake.url, '/conversations?per_page=150', H215)).body.conversations as J[];
    const target = before.find((c) => c.company !== null)!;
    const changed = fake.mutate({ stream: 'companies', ids: [target.company.id], at: NOW + 500 });
    expect(changed.updated).toEqual([target.company.id]);
    const after = (await get(fake.url, '/conversations?per_page=150', H215)).body.conversations as J[];
    expect(after.find((c) => c.id === target.id).company.updated_at).toBe(NOW + 500);
  });
});
