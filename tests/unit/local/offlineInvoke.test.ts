import OfflineInvoke from '../../../serverless/offline-invoke';

const { answerInvoke, MAX_PAYLOAD_BYTES } = OfflineInvoke;

class NotFound extends Error {
  override readonly name = 'NotFound';
}

/** serverless-offline's runtime as the plugin uses it: named functions, each run as `behaviour` says. */
function fakeRuntime(behaviours: Record<string, (event: unknown, context: unknown) => Promise<unknown>>) {
  const runs: { name: string; event: unknown; clientContext: unknown }[] = [];
  const runtime = {
    listFunctionNames: () => Object.keys(behaviours),
    getByFunctionName(name: string) {
      let event: unknown;
      let clientContext: unknown;
      return {
        setClientContext: (context: unknown) => void (clientContext = context),
        setEvent: (given: unknown) => void (event = given),
        runHandler: () => {
          runs.push({ name, event, clientContext });
          return behaviours[name]!(event, clientContext);
        },
      };
    },
  };
  return { runtime, runs };
}

const settings = {
  functionArn: (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`,
  timeoutSecondsOf: () => 10,
};

function invoke(
  runtime: OfflineInvoke.Runtime,
  path: string,
  {
    body = '',
    headers = {},
    method = 'POST',
  }: { body?: string; headers?: Record<string, string>; method?: string } = {},
) {
  const bytes = Buffer.from(body);
  return answerInvoke(runtime, { method, url: path, headers, body: bytes, bodyBytes: bytes.length }, settings);
}

const path = (name: string) => `/2015-03-31/functions/${encodeURIComponent(name)}/invocations`;

describe('Plugin: offline-invoke (the local Lambda Invoke API)', () => {
  it('runs the function with the parsed event and answers its result as JSON', async () => {
    const { runtime, runs } = fakeRuntime({ echo: async (event) => ({ got: event }) });

    const answer = await invoke(runtime, path('echo'), { body: '{"a":1}' });

    expect(answer).toMatchObject({
      status: 200,
      headers: { 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' },
      body: '{"got":{"a":1}}',
    });
    expect(answer.headers['x-amz-function-error']).toBeUndefined();
    expect(runs).toEqual([{ name: 'echo', event: { a: 1 }, clientContext: undefined }]);
  });

  it.each([
    ['a string, escaped', 'a"b', '"a\\"b"'],
    ['nothing, as null', undefined, 'null'],
    ['null', null, 'null'],
    ['a number', 42, '42'],
    ['false', false, 'false'],
  ])('answers a result that is %s', async (_what, result, body) => {
    const { runtime } = fakeRuntime({ fn: async () => result });

    await expect(invoke(runtime, path('fn'))).resolves.toMatchObject({ status: 200, body });
  });

  it('gives an empty payload the event {}', async () => {
    const { runtime, runs } = fakeRuntime({ fn: async () => null });

    await invoke(runtime, path('fn'));

    expect(runs[0]!.event).toEqual({});
  });

  it("reports a thrown error by its name, message and stack, as AWS's Node.js runtime does", async () => {
    const { runtime } = fakeRuntime({
      fn: async () => {
        throw new NotFound('no such client');
      },
    });

    const answer = await invoke(runtime, path('fn'));

    expect(answer.status).toBe(200);
    expect(answer.headers['x-amz-function-error']).toBe('Unhandled');
    const payload = JSON.parse(answer.body);
    expect(payload).toMatchObject({ errorType: 'NotFound', errorMessage: 'no such client' });
    expect(payload.trace[0]).toBe('NotFound: no such client');
  });

  it('reports a thrown value that is not an Error by its type', async () => {
    const { runtime } = fakeRuntime({ fn: () => Promise.reject('boom') });

    const answer = await invoke(runtime, path('fn'));

    expect(JSON.parse(answer.body)).toEqual({ errorType: 'string', errorMessage: 'boom', trace: [] });
  });

  it('reports an error thrown across threads (--isolated-lambdas) by the name in its stack', async () => {
    // What a worker thread's NotFound arrives as: a structured clone, named "Error", whose stack says NotFound.
    const cloned = structuredClone(new NotFound('no such client'));
    expect(cloned.name).toBe('Error');
    const { runtime } = fakeRuntime({ fn: () => Promise.reject(cloned) });

    const answer = await invoke(runtime, path('fn'));

    expect(answer.headers['x-amz-function-error']).toBe('Unhandled');
    expect(JSON.parse(answer.body)).toMatchObject({ errorType: 'NotFound', errorMessage: 'no such client' });
  });

  it("reports serverless-offline's timeout as Lambda's Sandbox.Timedout, with the function's timeout", async () => {
    class LambdaTimeoutError extends Error {}
    const { runtime } = fakeRuntime({ fn: () => Promise.reject(new LambdaTimeoutError('[504] - Lambda timeout.')) });

    const answer = await invoke(runtime, path('fn'));

    expect(answer.headers['x-amz-function-error']).toBe('Unhandled');
    const payload = JSON.parse(answer.body);
    expect(payload.errorType).toBe('Sandbox.Timedout');
    expect(payload.errorMessage).toMatch(/^RequestId: [0-9a-f-]{36} Error: Task timed out after 10\.00 seconds$/);
  });

  it('finds a function by its ARN, its partial ARN, or with the $LATEST qualifier', async () => {
    const { runtime, runs } = fakeRuntime({ fn: async () => 'ok' });

    for (const name of [
      'arn:aws:lambda:us-east-1:000000000000:function:fn',
      '000000000000:function:fn',
      'fn:$LATEST',
    ]) {
      await expect(invoke(runtime, path(name))).resolves.toMatchObject({ status: 200, body: '"ok"' });
    }
    await expect(invoke(runtime, `${path('fn')}?Qualifier=%24LATEST`)).resolves.toMatchObject({ status: 200 });
    expect(runs).toHaveLength(4);
  });

  it.each([
    ['an unknown function', path('nope'), 'arn:aws:lambda:us-east-1:000000000000:function:nope'],
    ['a version this runtime does not have', path('fn:3'), 'arn:aws:lambda:us-east-1:000000000000:function:fn:3'],
    [
      'an alias given as Qualifier',
      `${path('fn')}?Qualifier=live`,
      'arn:aws:lambda:us-east-1:000000000000:function:fn:live',
    ],
  ])('answers %s with ResourceNotFoundException, running nothing', async (_what, url, arn) => {
    const { runtime, runs } = fakeRuntime({ fn: async () => 'ok' });

    const answer = await invoke(runtime, url);

    expect(answer.status).toBe(404);
    expect(answer.headers['x-amzn-errortype']).toBe('ResourceNotFoundException');
    expect(JSON.parse(answer.body)).toEqual({ Type: 'User', Message: `Function not found: ${arn}` });
    expect(runs).toEqual([]);
  });

  it('refuses a payload that is not JSON with InvalidRequestContentException, running nothing', async () => {
    const { runtime, runs } = fakeRuntime({ fn: async () => 'ok' });

    const answer = await invoke(runtime, path('fn'), { body: '{"a":' });

    expect(answer.status).toBe(400);
    expect(answer.headers['x-amzn-errortype']).toBe('InvalidRequestContentException');
    expect(JSON.parse(answer.body).Message).toMatch(/^Could not parse request body into json: /);
    expect(runs).toEqual([]);
  });

  it('refuses a payload over the 6 MB quota with RequestTooLargeException, running nothing', async () => {
    const { runtime, runs } = fakeRuntime({ fn: async () => 'ok' });

    const asked = {
      method: 'POST',
      url: path('fn'),
      headers: {},
      body: Buffer.alloc(0),
      bodyBytes: MAX_PAYLOAD_BYTES + 1,
    };
    const answer = await answerInvoke(runtime, asked, settings);

    expect(answer.status).toBe(413);
    expect(answer.headers['x-amzn-errortype']).toBe('RequestTooLargeException');
    expect(runs).toEqual([]);
  });

  it('reports a result over the 6 MB quota as a function error, as Lambda does', async () => {
    const { runtime } = fakeRuntime({ fn: async () => 'x'.repeat(MAX_PAYLOAD_BYTES) });

    const answer = await invoke(runtime, path('fn'));

    expect(answer.headers['x-amz-function-error']).toBe('Unhandled');
    expect(JSON.parse(answer.body).errorType).toBe('Function.ResponseSizeTooLarge');
  });

  it('passes the client context on, and refuses one that is not base64 JSON', async () => {
    const { runtime, runs } = fakeRuntime({ fn: async () => 'ok' });
    const context = Buffer.from(JSON.stringify({ custom: { copyOf: 'r1' } })).toString('base64');

    await invoke(runtime, path('fn'), { headers: { 'x-amz-client-context': context } });
    const refused = await invoke(runtime, path('fn'), { headers: { 'x-amz-client-context': 'not json' } });

    expect(runs.map((run) => run.clientContext)).toEqual([{ custom: { copyOf: 'r1' } }]);
    expect(refused.status).toBe(400);
    expect(refused.headers['x-amzn-errortype']).toBe('InvalidRequestContentException');
  });

  it('answers a DryRun with 204 without running the function', async () => {
    const { runtime, runs } = fakeRuntime({ fn: async () => 'ok' });

    const answer = await invoke(runtime, path('fn'), { headers: { 'x-amz-invocation-type': 'DryRun' } });

    expect(answer).toMatchObject({ status: 204, body: '' });
    expect(runs).toEqual([]);
  });

  it('answers an Event invocation with 202 at once, and runs the function', async () => {
    let finish: (value: unknown) => void = () => undefined;
    const { runtime, runs } = fakeRuntime({ fn: () => new Promise((resolve) => (finish = resolve)) });

    const answer = await invoke(runtime, path('fn'), { body: '{}', headers: { 'x-amz-invocation-type': 'Event' } });

    expect(answer).toMatchObject({ status: 202, body: '' });
    expect(runs).toHaveLength(1);
    finish(null);
  });

  it('refuses an invocation type Lambda does not have with ValidationException', async () => {
    const { runtime, runs } = fakeRuntime({ fn: async () => 'ok' });

    const answer = await invoke(runtime, path('fn'), { headers: { 'x-amz-invocation-type': 'Later' } });

    expect(answer.status).toBe(400);
    expect(answer.headers['x-amzn-errortype']).toBe('ValidationException');
    expect(runs).toEqual([]);
  });

  it('answers anything but an invocation with UnknownOperationException', async () => {
    const { runtime } = fakeRuntime({ fn: async () => 'ok' });

    for (const [method, url] of [
      ['GET', path('fn')],
      ['POST', '/2015-03-31/functions/fn'],
    ] as const) {
      const answer = await invoke(runtime, url, { method });
      expect(answer.status).toBe(404);
      expect(answer.headers['x-amzn-errortype']).toBe('UnknownOperationException');
    }
  });
});
