import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceInUseException,
  UpdateTimeToLiveCommand,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './config';
import { startProcess, waitUntil, type Managed } from './process';
import type { ServerlessConfig } from './serverlessConfig';

/** AWS's DynamoDB Local, as shipped inside the amplify-dynamodb-simulator package. */
function emulatorDir(): string {
  return join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
}

export function dynamoDbClient(port: number): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: LOCAL_REGION,
    credentials: {
      accessKeyId: LOCAL_CREDENTIALS.AWS_ACCESS_KEY_ID,
      secretAccessKey: LOCAL_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
    },
  });
}

/** Starts DynamoDB Local; with a data directory its tables survive a restart, without one it is in memory. */
export async function startDynamoDbLocal(port: number, dataDir: string | undefined, echo: boolean): Promise<Managed> {
  const dir = emulatorDir();
  const storage = dataDir === undefined ? ['-inMemory'] : ['-dbPath', dataDir];
  if (dataDir !== undefined) mkdirSync(dataDir, { recursive: true });
  // -sharedDb: one database whatever the credentials and region of the caller. Telemetry off, both ways the
  // jar (1.25) knows: -disableTelemetry (its -help) stops the sending, DDB_LOCAL_TELEMETRY=0 stops it from
  // even writing an installation id to dynamodb-local-metadata.json in the working directory.
  // The serial collector: the emulator's heap is small and its pauses short, and G1 (the JVM's pick on two
  // cores) spent 4-10% more of its CPU per saga on its concurrent threads and barriers (docs/BENCHMARKS.md).
  const managed = startProcess(
    'dynamodb',
    'java',
    [
      '-XX:+UseSerialGC',
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(dir, 'DynamoDBLocal.jar'),
      '-sharedDb',
      '-disableTelemetry',
      '-port',
      String(port),
      ...storage,
    ],
    { echo, env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' } },
  );
  const client = dynamoDbClient(port);
  await waitUntil(managed, async () => (await client.send(new ListTablesCommand({})), true), 30_000);
  client.destroy();
  return managed;
}

export function wipeDynamoDbData(dataDir: string): void {
  if (existsSync(dataDir)) rmSync(dataDir, { recursive: true, force: true });
}

type TableResource = { Type: string; Properties?: Record<string, unknown> };

/** The CreateTable input for a CloudFormation AWS::DynamoDB::Table: only what DynamoDB Local needs. */
export function createTableInput(properties: Record<string, unknown>): CreateTableCommandInput {
  const { TableName, AttributeDefinitions, KeySchema, GlobalSecondaryIndexes, LocalSecondaryIndexes } = properties;
  return {
    TableName,
    AttributeDefinitions,
    KeySchema,
    ...(GlobalSecondaryIndexes ? { GlobalSecondaryIndexes } : {}),
    ...(LocalSecondaryIndexes ? { LocalSecondaryIndexes } : {}),
    BillingMode: 'PAY_PER_REQUEST',
  } as CreateTableCommandInput;
}

export function declaredTables(config: ServerlessConfig): Array<Record<string, unknown>> {
  return Object.values(config.resources?.Resources ?? {})
    .filter((resource: TableResource) => resource.Type === 'AWS::DynamoDB::Table')
    .map((resource) => resource.Properties ?? {});
}

/** Creates every table serverless.yml declares; tables that already exist (kept data) are left as they are. */
export async function createDeclaredTables(
  port: number,
  config: ServerlessConfig,
): Promise<{ created: string[]; kept: string[] }> {
  const client = dynamoDbClient(port);
  const created: string[] = [];
  const kept: string[] = [];
  try {
    for (const properties of declaredTables(config)) {
      const input = createTableInput(properties);
      try {
        await client.send(new CreateTableCommand(input));
        created.push(input.TableName!);
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
        kept.push(input.TableName!);
        continue;
      }
      const ttl = properties['TimeToLiveSpecification'] as { AttributeName: string; Enabled: boolean } | undefined;
      if (ttl?.Enabled) {
        await client.send(new UpdateTimeToLiveCommand({ TableName: input.TableName, TimeToLiveSpecification: ttl }));
      }
    }
  } finally {
    client.destroy();
  }
  return { created, kept };
}
