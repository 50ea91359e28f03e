import { parseArgs } from 'node:util';
import { startConsoleServer } from '../local/console/server';
import { defaultTarget, readerClient } from '../local/console/stepFunctionsReader';

/**
 * `npm run console -- [--endpoint <url>|aws] [--region <r>] [--port <n>]`: the console of the local cloud
 * (http://localhost:8083/) on a port of its own, pointed at any Step Functions API: LocalStack
 * (`--endpoint http://localhost:4566`) or AWS itself (`--endpoint aws`, with your usual credentials).
 */
async function main(): Promise<void> {
  const fallback = defaultTarget();
  const { values } = parseArgs({
    options: {
      endpoint: { type: 'string', default: fallback.endpoint },
      region: { type: 'string', default: fallback.region },
      port: { type: 'string', default: process.env['CONSOLE_PORT'] ?? '8084' },
    },
  });
  const sfn = readerClient({ endpoint: values.endpoint, region: values.region });
  const server = await startConsoleServer(sfn, Number(values.port), 'localhost');
  console.log(`Step Functions console: ${server.url}/  (reading ${values.endpoint}, ${values.region}; Ctrl-C stops)`);
  const stop = async () => {
    await server.stop();
    sfn.destroy();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
