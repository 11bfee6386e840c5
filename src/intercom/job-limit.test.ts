// A pending-export-jobs 429 is not a rate-budget 429: with `jobLimit429` the client rejects at once
// with ExportJobLimitError and leaves the shared pacer alone, so other streams keep their budget.
import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { ExportJobLimitError, IntercomClient, isJobLimitBody } from './client.js';
import { IntercomApiError } from './errors.js';

const BASE = 'https://api.intercom.io';
const client = (maxRateLimitWaitMs = 10_000) =>
  new IntercomClient({
    baseUrl: BASE,
    accessToken: 'job-limit-test-token-1234',
    apiVersion: '2.14',
    requestTimeoutMs: 2000,
    maxConcurrency: 4,
    maxRetries: 3,
    maxRateLimitWaitMs,
    retryBaseDelayMs: 5,
  });
const errorList = (message: string) => ({
  type: 'error.list',
  request_id: 'req-1',
  errors: [{ code: 'rate_limit_exceeded', message }],
});
const CONTENT = 'Exceeded rate limit of 1 pending message data export jobs';
const REPORTING = 'Exceeded rate limit of 5 pending reporting dataset export jobs';

afterEach(() => {
  nock.cleanAll();
});

describe('export job-limit 429s', () => {
  it('tells the job-limit messages from a rate-budget one', () => {
    expect(isJobLimitBody(errorList(CONTENT))).toBe(true);
    expect(isJobLimitBody(errorList(REPORTING))).toBe(true);
    expect(isJobLimitBody(errorList('Exceeded rate limit'))).toBe(false);
    expect(isJobLimitBody(undefined)).toBe(false);
  });

  it('rejects at once with ExportJobLimitError, one request, no rate-limit wait, and the next request of another stream goes straight through', async () => {
    const c = client();
    const scope = nock(BASE)
      .post('/export/content/data')
      // A job-limit 429 carries the budget's ordinary headers: plenty left.
      .reply(429, errorList(CONTENT), {
        'X-RateLimit-Limit': '1000',
        'X-RateLimit-Remaining': '900',
        'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + 3600),
      })
      .get('/admins')
      .reply(200, { type: 'admin.list', admins: [] });
    const err = await c
      .request({ method: 'POST', path: '/export/content/data', json: {}, jobLimit429: true })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExportJobLimitError);
    expect((err as ExportJobLimitError).status).toBe(429);
    expect((err as Error).message).toContain(CONTENT);
    expect(c.stats.rateLimited).toBe(0);
    // The 429's reset header is an hour away: had it paused the pacer, this would wait past the 10 s bound and fail.
    await expect(c.request({ path: '/admins', stream: 'admins' })).resolves.toEqual({ type: 'admin.list', admins: [] });
    expect(scope.isDone()).toBe(true);
  });

  it('without the option, the same 429 is a rate limit (waited for, then failed as one)', async () => {
    const c = client(50);
    nock(BASE)
      .post('/export/reporting_data/enqueue')
      .reply(429, errorList(REPORTING), { 'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + 3600) });
    const err = await c
      .request({ method: 'POST', path: '/export/reporting_data/enqueue', json: {} })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(IntercomApiError);
    expect(err).not.toBeInstanceOf(ExportJobLimitError);
    expect(c.stats.rateLimited).toBe(1);
  });

  it('with the option, a rate-budget 429 is still handled as a rate limit', async () => {
    const c = client(50);
    nock(BASE)
      .post('/export/content/data')
      .reply(429, errorList('Exceeded rate limit'), {
        'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + 3600),
      });
    const err = await c
      .request({ method: 'POST', path: '/export/content/data', json: {}, jobLimit429: true })
      .catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(ExportJobLimitError);
    expect(c.stats.rateLimited).toBe(1);
  });
});
