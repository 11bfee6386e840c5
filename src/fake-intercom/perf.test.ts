/**
 * The benchmark-size workspace (100k contacts, 20k conversations x ~10 parts) starts and answers.
 * Timings are printed for information only: speed is measured by `npm run bench`, never asserted.
 */
import { describe, expect, it } from 'vitest';
import { startFakeIntercom } from './index.js';
import { DAY, NOW, get, post } from '../../test/helpers/fake-intercom.js';

describe('benchmark-size workspace', () => {
  it('starts and answers searches and detail fetches', async () => {
    const t0 = Date.now();
    const fake = await startFakeIntercom({
      seed: 1,
      now: NOW,
      size: { contacts: 100_000, conversations: 20_000, companies: 5_000, tickets: 2_000, partsPerConversation: 10 },
    });
    const startup = Date.now() - t0;
    try {
      const r = await post(fake.url, '/contacts/search', {
        query: { field: 'updated_at', operator: '>', value: NOW - 10 * DAY },
        pagination: { per_page: 150 },
      });
      expect(r.status).toBe(200);
      expect(r.body.total_count).toBeGreaterThan(1_000);
      const c = await get(fake.url, `/conversations/${fake.workspace.conversations[19_999]!.id}`);
      expect(c.status).toBe(200);
      console.log(
        `fake-intercom: startup ${startup} ms for 100k contacts / 20k conversations; heap ${Math.round(process.memoryUsage().heapUsed / 1e6)} MB`,
      );
    } finally {
      await fake.close();
    }
  });
});
