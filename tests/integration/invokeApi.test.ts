import { InvokeCommand, LambdaClient, ResourceNotFoundException } from '@aws-sdk/client-lambda';
import { LOCAL_ACCOUNT_ID, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/config';
import { testPorts } from '../support/ports';
import { resourceName } from './support/stack';

/**
 * The local Lambda Invoke API (serverless/offline-invoke.js) as the AWS SDK sees it, against the suite's cloud:
 * the answers a caller of AWS Lambda's Invoke gets, in the shapes the SDK parses.
 */
const lambda = new LambdaClient({
  endpoint: `http://127.0.0.1:${testPorts().lambda}`,
  region: LOCAL_REGION,
  credentials: {
    accessKeyId: LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID,
    secretAccessKey: LOCAL_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
  },
  maxAttempts: 1,
});
const CLIENT_GET = resourceName('clientGet');
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes ?? new Uint8Array());
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('The local Lambda Invoke API', () => {
  afterAll(() => lambda.destroy());

  it("answers a function's error with its name in errorType, as AWS's Node.js runtime does", async () => {
    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: CLIENT_GET, Payload: json({ input: { clientId: 'no-such-client' } }) }),
    );

    expect(answer.StatusCode).toBe(200);
    expect(answer.FunctionError).toBe('Unhandled');
    expect(answer.ExecutedVersion).toBe('$LATEST');
    expect(JSON.parse(text(answer.Payload))).toMatchObject({ errorType: 'NotFound' });
  });

  it('finds a function by its ARN', async () => {
    const arn = `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${CLIENT_GET}`;

    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: arn, Payload: json({ input: { clientId: 'x' } }) }),
    );

    expect(JSON.parse(text(answer.Payload))).toMatchObject({ errorType: 'NotFound' });
  });

  it('refuses an unknown function with ResourceNotFoundException', async () => {
    const call = lambda.send(new InvokeCommand({ FunctionName: resourceName('noSuchFunction'), Payload: json({}) }));

    await expect(call).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(call).rejects.toMatchObject({
      message: expect.stringContaining('Function not found: arn:aws:lambda:'),
    });
  });

  it('refuses a payload that is not JSON with InvalidRequestContentException', async () => {
    const call = lambda.send(new InvokeCommand({ FunctionName: CLIENT_GET, Payload: new TextEncoder().encode('{') }));

    await expect(call).rejects.toMatchObject({
      name: 'InvalidRequestContentException',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('answers a DryRun with 204 and an Event with 202', async () => {
    const dryRun = await lambda.send(new InvokeCommand({ FunctionName: CLIENT_GET, InvocationType: 'DryRun' }));
    const event = await lambda.send(
      new InvokeCommand({
        FunctionName: CLIENT_GET,
        InvocationType: 'Event',
        Payload: json({ input: { clientId: 'x' } }),
      }),
    );

    expect([dryRun.StatusCode, event.StatusCode]).toEqual([204, 202]);
  });
});
