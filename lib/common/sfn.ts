import { SFNClient } from '@aws-sdk/client-sfn';
import { traced } from './observability';

/**
 * The Step Functions client, created once per container; AWS_ENDPOINT_URL_SFN points it at the local endpoint.
 * Captured by the tracer, so a saga's execution continues the trace of the request that started it. Each command's
 * middleware stack is resolved once, not on every call (`cacheMiddleware`, see idempotencyDynamoDb in aws.ts).
 */
export const stepFunctions = traced(new SFNClient({ cacheMiddleware: true }));
