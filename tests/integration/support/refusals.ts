import { apiUrl } from '../../support/api';
import { countItems } from './dynamo';

/**
 * Posts a raw body and checks the bad-input contract: a 4xx with `{ error }`, never a 500, and not one item
 * more or less in `table` than before.
 */
export async function expectRefusedWritingNothing(path: string, rawBody: string, table: string): Promise<void> {
  const before = await countItems(table);

  const response = await fetch(`${apiUrl()}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: rawBody,
  });
  const body = await response.json();

  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  expect(body).toEqual({ error: expect.any(String) });
  expect(await countItems(table)).toBe(before);
}
