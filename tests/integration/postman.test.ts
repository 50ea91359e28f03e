import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import newman, { type NewmanRunSummary } from 'newman';
import { apiUrl } from '../support/api';

/**
 * The Postman collection users import (postman/collection.json), run by newman against the local cloud:
 * register, the client and its notification, login, an order refused for lack of money, a deposit, an
 * order, its notification, logout.
 */
const COLLECTION = join(__dirname, '..', '..', 'postman', 'collection.json');

interface CollectionItem {
  request?: unknown;
  item?: CollectionItem[];
}

/** The requests of a collection, folders included. */
const requestCount = (items: CollectionItem[]): number =>
  items.reduce((count, item) => count + (item.request === undefined ? 0 : 1) + requestCount(item.item ?? []), 0);

function runCollection(): Promise<NewmanRunSummary> {
  return new Promise((resolve, reject) => {
    newman.run(
      {
        collection: COLLECTION,
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
    const collection = JSON.parse(readFileSync(COLLECTION, 'utf8')) as { item: CollectionItem[] };
    expect(summary.run.stats.requests.total).toBe(requestCount(collection.item));
    expect(summary.run.stats.assertions.total).toBeGreaterThanOrEqual(17);
  });
});
