import { LambdaClient } from '@aws-sdk/client-lambda';
import { traced } from './observability';

/**
 * The Lambda client, created once per container; its endpoint comes from AWS_ENDPOINT_URL_LAMBDA locally.
 * The SDK's own retries are off: `invokeService` retries with its policy, and two layers would multiply.
 * Captured by the tracer, so the called function's trace continues the caller's. Each command's middleware stack
 * is resolved once, not on every call (`cacheMiddleware`, see idempotencyDynamoDb in aws.ts).
 */
export const lambda = traced(new LambdaClient({ maxAttempts: 1, cacheMiddleware: true }));
