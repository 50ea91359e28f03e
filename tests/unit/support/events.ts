import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/** An API Gateway (REST, v1) proxy event as serverless-offline and API Gateway send it. */
export function httpEvent(options: {
  method?: string;
  path?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  /** Headers as API Gateway passes a repeated one: every value in order (`headers` then holds the last). */
  multiValueHeaders?: Record<string, string[]>;
  pathParameters?: Record<string, string>;
  authorizer?: Record<string, string>;
}): APIGatewayProxyEvent {
  return {
    httpMethod: options.method ?? 'POST',
    path: options.path ?? '/',
    resource: options.path ?? '/',
    headers: {
      ...Object.fromEntries(
        Object.entries(options.multiValueHeaders ?? {}).map(([name, values]) => [name, values.at(-1)]),
      ),
      ...options.headers,
    },
    multiValueHeaders: options.multiValueHeaders ?? {},
    body: options.rawBody ?? (options.body === undefined ? null : JSON.stringify(options.body)),
    isBase64Encoded: false,
    pathParameters: options.pathParameters ?? null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: { authorizer: options.authorizer ?? null } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

export const lambdaContext = {
  functionName: 'test-function',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:test-function',
  memoryLimitInMB: '256',
  awsRequestId: 'test-request',
  logGroupName: '/aws/lambda/test-function',
  logStreamName: 'test',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;

export function parseBody(result: { body: string }) {
  return JSON.parse(result.body);
}

/** A handler as API Gateway and Lambda Invoke see it: whatever the event, a promise of the answer. */
type LambdaHandler = (event: any, context: Context) => Promise<any>;

export interface HttpResult {
  statusCode: number;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
}

export const callHttp = (handler: LambdaHandler, event: APIGatewayProxyEvent): Promise<HttpResult> =>
  handler(event, lambdaContext);

export const callDirect = (handler: LambdaHandler, payload: { requestId?: string; input: unknown }): Promise<any> =>
  handler(payload, lambdaContext);
