import { SFNClient } from '@aws-sdk/client-sfn';

/** The Step Functions client, created once per container; AWS_ENDPOINT_URL_SFN points it at the local endpoint. */
export const stepFunctions = new SFNClient({});
