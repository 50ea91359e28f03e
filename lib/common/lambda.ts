import { LambdaClient } from '@aws-sdk/client-lambda';

/** The Lambda client, created once per container; its endpoint comes from AWS_ENDPOINT_URL_LAMBDA locally. */
export const lambda = new LambdaClient({});
