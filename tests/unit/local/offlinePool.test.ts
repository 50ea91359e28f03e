import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { loadHandlersOnce } from '../../../serverless/offline-pool';

type Load = (appRoot: string, fullHandlerString: string) => Promise<unknown>;

/** serverless-offline's copy of the Lambda runtime's UserFunction, whose `load` its in-process runner imports. */
const userFunction = createRequire(__filename)(
  join(
    dirname(require.resolve('serverless-offline')),
    'lambda/handler-runner/in-process-runner/aws-lambda-ric/UserFunction.js',
  ),
) as { load: Load };

describe('the Lambda pool plugin: each handler found once, as a Lambda container finds it in its init', () => {
  const original = userFunction.load;
  afterEach(() => {
    userFunction.load = original;
  });

  it('finds a handler on its first invocation only, and each handler for itself', async () => {
    // Prepare: serverless-offline's load, counted.
    const handlerOf = (name: string) => Object.assign(async () => name, { handlerName: name });
    const load = jest.fn<ReturnType<Load>, Parameters<Load>>(async (_root, handler) => handlerOf(handler));
    userFunction.load = load;

    // Act
    loadHandlersOnce();
    const first = await userFunction.load('/app', 'functions/a.handler');
    const again = await userFunction.load('/app', 'functions/a.handler');
    const other = await userFunction.load('/app', 'functions/b.handler');

    // Assess: the same function both times, found once; another handler found for itself.
    expect(again).toBe(first);
    expect(other).not.toBe(first);
    expect(load.mock.calls).toEqual([
      ['/app', 'functions/a.handler'],
      ['/app', 'functions/b.handler'],
    ]);
  });

  it('tries again after a load that failed, as Lambda retries a failed init', async () => {
    const load = jest
      .fn<ReturnType<Load>, Parameters<Load>>()
      .mockRejectedValueOnce(new Error('Cannot find module'))
      .mockResolvedValue(async () => 'ok');
    userFunction.load = load;
    loadHandlersOnce();

    await expect(userFunction.load('/app', 'functions/a.handler')).rejects.toThrow('Cannot find module');
    await expect(userFunction.load('/app', 'functions/a.handler')).resolves.toEqual(expect.any(Function));
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('wraps the load once, however often the plugin is made', async () => {
    const load = jest.fn<ReturnType<Load>, Parameters<Load>>(async () => async () => 'ok');
    userFunction.load = load;

    loadHandlersOnce();
    const wrapped = userFunction.load;
    loadHandlersOnce();

    expect(userFunction.load).toBe(wrapped);
  });
});
