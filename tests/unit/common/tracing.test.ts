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
    expect(tracer.isTracingEnabled()).toBe(false);
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
