import { lambdaInstances, sdkEnvironment, LOCAL_STAGE } from '../../../local/config';
import { startLocalCloud, type LocalCloud } from '../../../local/localCloud';
import { stopOnSignals } from '../../../local/process';
import { testPorts } from '../../support/ports';

/**
 * The suite's Step Functions clock runs at a hundredth of real time: the sagas' retry schedules (ten attempts
 * after the pivot, minutes at real time) take a second or two. RequestInProgress retriers still outlast the
 * real idempotency lock (local/stepfunctions/timeScale.ts).
 */
export const TEST_TIME_SCALE = 0.01;

declare global {
  var __LOCAL_CLOUD__: LocalCloud | undefined;
}

/** Starts a fresh, in-memory local cloud for the integration tier, and points the tests at it. */
export default async function globalSetup(): Promise<void> {
  const ports = testPorts();
  // Ctrl-C from here on stops what this cloud has started (local/process.ts), even mid-start.
  stopOnSignals();
  process.stdout.write(`\nstarting a local cloud for the tests (ports ${ports.dynamodb}–${ports.stepFunctions})…`);
  const started = Date.now();
  globalThis.__LOCAL_CLOUD__ = await startLocalCloud({
    fresh: true,
    persist: false,
    ports,
    timeScale: TEST_TIME_SCALE,
    // A pool of at least two, whatever the machine: the suite runs every call across it (lambdaPool.test.ts).
    lambdaInstances: Math.max(2, lambdaInstances()),
  });
  process.stdout.write(
    `\nlocal cloud for tests up in ${((Date.now() - started) / 1000).toFixed(1)} s (API on ${ports.http})\n`,
  );
  Object.assign(process.env, sdkEnvironment(ports), {
    TEST_API_URL: `http://127.0.0.1:${ports.http}`,
    TEST_STAGE: LOCAL_STAGE,
    // The serverless-offline instances' pids (the pool's own process first in pids(), left out here).
    TEST_LAMBDA_INSTANCES: globalThis.__LOCAL_CLOUD__.emulators.offline.pids().slice(1).join(','),
  });
}
