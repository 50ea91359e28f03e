import { join } from 'node:path';
import newman, { type NewmanRunSummary } from 'newman';
import { apiUrl } from '../support/api';

/**
 * The Postman collection users import (postman/collection.json), run by newman against the local cloud:
 * register, the client and its notification, login, an order refused for lack of money, a deposit, an
 * order, its notification, logout.
 */
function runCollection(): Promise<NewmanRunSummary> {
  return new Promise((resolve, reject) => {
    newman.run(
      {
        collection: join(__dirname, '..', '..', 'postman', 'collection.json'),
        envVar: [{ key: 'baseUrl', value: apiUrl() }],
        reporters: [],
      },
      (error, summary) => (error ? reject(error) : resolve(summary)),
    );
  });
}

describe('Postman collection: the user journey', () => {
  it('passes every request and assertion of the collection', async () => {
    const summary = await runCollection();

    const failures = summary.run.failures.map((failure) => `${failure.source?.name}: ${failure.error.message}`);
    expect(failures).toEqual([]);
    expect(summary.run.stats.requests.total).toBe(15);
    expect(summary.run.stats.assertions.total).toBeGreaterThanOrEqual(17);
  });
});
