import { LambdaClient } from '@aws-sdk/client-lambda';

/**
 * The Lambda client, created once per container; its endpoint comes from AWS_ENDPOINT_URL_LAMBDA locally.
 * The SDK's own retries are off: `invokeService` retries with its policy, and two layers would multiply.
 */
export const lambda = new LambdaClient({ maxAttempts: 1 });
