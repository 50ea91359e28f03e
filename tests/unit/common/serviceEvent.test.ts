import middy from '@middy/core';
import { serviceEvent, type ServiceCall } from '../../../lib/common/serviceEvent';
import { callHttp, httpEvent, parseBody } from '../support/events';

/** Answers with the request id it was given, so a test sees what the edge made of the headers. */
const echo = middy(({ requestId }: ServiceCall) => ({ requestId: requestId ?? null })).use(serviceEvent());
const call = (headers: Record<string, string> = {}, multiValueHeaders?: Record<string, string[]>) =>
  callHttp(echo, httpEvent({ body: {}, headers, ...(multiValueHeaders ? { multiValueHeaders } : {}) }));
const keyRule = (name: string) => `${name} must be 1 to 256 visible ASCII characters, without a comma`;

describe('Middleware: serviceEvent, the Idempotency-Key at the edge', () => {
  it.each([
    ['a UUID', '3b0c4a52-1d7e-4f5a-9a43-5d7d0c1e2f3a'],
    ['256 characters', 'k'.repeat(256)],
    ['every visible ASCII character but the comma', '!"#$%&\'()*+-./09:;<=>?@AZ[\\]^_`az{|}~'],
  ])('takes a key of %s as the request id', async (_case, key) => {
    const result = await call({ 'Idempotency-Key': key });

    expect([result.statusCode, parseBody(result)]).toEqual([200, { requestId: key }]);
  });

  it('takes X-Request-Id when there is no Idempotency-Key, and Idempotency-Key when there are both', async () => {
    expect(parseBody(await call({ 'x-request-id': 'r1' }))).toEqual({ requestId: 'r1' });
    expect(parseBody(await call({ 'X-Request-Id': 'r1', 'idempotency-key': 'k1' }))).toEqual({ requestId: 'k1' });
    expect(parseBody(await call())).toEqual({ requestId: null });
  });

  it.each([
    ['257 characters', 'k'.repeat(257)],
    ['10 000 characters', 'k'.repeat(10_000)],
    ['a comma (how HTTP joins a repeated header)', 'key-1, key-2'],
    ['a space', 'order 1'],
    ['a non-ASCII character', 'ключ'],
    ['a control character', 'key\u0001'],
  ])('refuses a key of %s with a 400 before anything runs', async (_case, key) => {
    const result = await call({ 'Idempotency-Key': key });

    expect([result.statusCode, parseBody(result)]).toEqual([400, { error: keyRule('Idempotency-Key') }]);
  });

  it('holds X-Request-Id to the same rule', async () => {
    const result = await call({ 'X-Request-Id': 'k'.repeat(257) });

    expect([result.statusCode, parseBody(result)]).toEqual([400, { error: keyRule('X-Request-Id') }]);
  });

  it.each([
    ['two different keys', ['key-1', 'key-2']],
    ['the same key twice', ['key-1', 'key-1']],
  ])('refuses a repeated Idempotency-Key header (%s) with a 400', async (_case, values) => {
    const result = await call({}, { 'Idempotency-Key': values });

    expect([result.statusCode, parseBody(result)]).toEqual([400, { error: 'Send one Idempotency-Key header, not 2' }]);
  });
});
