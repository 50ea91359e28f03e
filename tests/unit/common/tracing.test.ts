import asyncHooks from 'node:async_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { dynamoDb } from '../../../lib/common/aws';
import { lambda } from '../../../lib/common/lambda';
import { tracer } from '../../../lib/common/observability';
import { stepFunctions } from '../../../lib/common/sfn';

/** Runs `make` with the environment changed as given (undefined deletes), then puts it back. */
function withEnvironment<T>(changes: Record<string, string | undefined>, make: () => T): T {
  const saved = { ...process.env };
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    return make();
  } finally {
    process.env = saved;
  }
}

/** The X-Ray middleware captureAWSv3Client adds to a client's stack, if any. */
const xrayMiddleware = (client: DynamoDBClient) =>
  client.middlewareStack.identify().filter((name) => name.toLowerCase().includes('xray'));

describe('Tracing: X-Ray through the Powertools tracer', () => {
  it('is off outside Lambda, and leaves the captured SDK clients without any X-Ray middleware', () => {
    expect(tracer?.isTracingEnabled()).toBe(false);
    for (const client of [dynamoDb, lambda, stepFunctions]) {
      expect(xrayMiddleware(client as unknown as DynamoDBClient)).toEqual([]);
    }
  });

  it('stays off in Lambda when the stage says so (POWERTOOLS_TRACE_ENABLED=false, the local cloud)', () => {
    const off = withEnvironment(
      { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', POWERTOOLS_TRACE_ENABLED: 'false' },
      () => new Tracer(),
    );
    const client = new DynamoDBClient({});

    expect(off.isTracingEnabled()).toBe(false);
    expect(off.captureAWSv3Client(client)).toBe(client);
    expect(xrayMiddleware(client)).toEqual([]);
  });

  it('captures a client in Lambda on a stage that traces', () => {
    const on = withEnvironment(
      { AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', POWERTOOLS_TRACE_ENABLED: 'true' },
      () => new Tracer(),
    );
    const client = new DynamoDBClient({});

    expect(on.isTracingEnabled()).toBe(true);
    on.captureAWSv3Client(client);
    expect(xrayMiddleware(client).length).toBeGreaterThan(0);
  });
});

describe('Tracing: not loaded where the stage does not trace', () => {
  /**
   * Loads the AWS clients (and observability.ts with them) afresh in a Lambda environment with the stage's
   * POWERTOOLS_TRACE_ENABLED; what it left: the tracer, and how many async hooks were created on the way.
   */
  async function loadedInLambda(traceEnabled: 'true' | 'false') {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
      LAMBDA_TASK_ROOT: '/var/task',
      POWERTOOLS_TRACE_ENABLED: traceEnabled,
    });
    const createHook = jest.spyOn(asyncHooks, 'createHook');
    try {
      let loaded: { tracer: unknown; client: unknown } = { tracer: undefined, client: undefined };
      await jest.isolateModulesAsync(async () => {
        const [observability, aws] = await Promise.all([
          import('../../../lib/common/observability'),
          import('../../../lib/common/aws'),
        ]);
        loaded = { tracer: observability.tracer, client: aws.dynamoDb };
      });
      return { ...loaded, hooks: createHook.mock.calls.length };
    } finally {
      createHook.mockRestore();
      process.env = saved;
    }
  }

  it('loads no Tracer, so no X-Ray async hook, and leaves the clients as they are (the local cloud)', async () => {
    const off = await loadedInLambda('false');

    expect(off.tracer).toBeUndefined();
    expect(off.hooks).toBe(0);
    expect(xrayMiddleware(off.client as DynamoDBClient)).toEqual([]);
  });

  it('loads the Tracer, whose X-Ray SDK hooks the process, on a stage that traces', async () => {
    const on = await loadedInLambda('true');

    expect((on.tracer as Tracer | undefined)?.isTracingEnabled()).toBe(true);
    expect(on.hooks).toBeGreaterThan(0);
    expect(xrayMiddleware(on.client as DynamoDBClient).length).toBeGreaterThan(0);
  });
});
