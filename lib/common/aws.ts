import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { traced } from './observability';

/**
 * The DynamoDB clients, created once per container (the Lambda client is in lambda.ts, so functions that
 * call no other service do not bundle it). No endpoint is configured here: the SDK reads
 * AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_LAMBDA, which the local cloud (and LocalStack) set, so the
 * same code talks to DynamoDB Local, LocalStack or AWS. Captured by the tracer (the document client's calls go
 * through the captured one).
 */
export const dynamoDb = traced(new DynamoDBClient({}));

export const documentClient = DynamoDBDocumentClient.from(dynamoDb, {
  marshallOptions: { removeUndefinedValues: true },
});

/**
 * The idempotency store's client (Powertools sends it plain DynamoDB commands, two per first call). It resolves
 * each command's middleware stack once, not on every call (`cacheMiddleware`, the SDK's own option: about 35 µs
 * of an 0.5 ms call saved, docs/BENCHMARKS.md), so nothing may add middleware to it after its first request;
 * Powertools adds its user-agent middleware when the store is created, at module load. The document client
 * above refuses that option (its commands' resolved handlers keep their first command), so the store has a
 * client of its own.
 */
export const idempotencyDynamoDb = traced(new DynamoDBClient({ cacheMiddleware: true }));
