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
