import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { lambdaInstances } from '../../local/config';
import { testPorts } from '../support/ports';
import { resourceName } from './support/stack';
import { newRegistration } from './support/journey';
import { post } from '../support/api';

/**
 * The Lambda runtime is a pool of serverless-offline processes behind API Gateway's port and the Lambda Invoke
 * API's (local/lambdaPool.mts). Both ports answer from every instance: each process's own CPU counter shows it
 * served calls. Every call here opens a connection of its own, which the pool hands to the instances in turn.
 */
const instances = (process.env['TEST_LAMBDA_INSTANCES'] ?? '').split(',').filter(Boolean).map(Number);
const ports = testPorts();

/** A process's CPU time so far (utime + stime, in clock ticks), from /proc/<pid>/stat. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // After "pid (comm) ": state is field 3, utime field 14 and stime field 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** One request on a connection of its own (no keep-alive agent): its status. */
function callOnNewConnection(port: number, method: string, path: string, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function cpuSpentBy(
  pids: number[],
  calls: () => Promise<number>[],
): Promise<{ statuses: number[]; spent: number[] }> {
  const before = pids.map(cpuTicks);
  const statuses = await Promise.all(calls());
  return { statuses, spent: pids.map((pid, i) => cpuTicks(pid) - before[i]!) };
}

const times = (n: number, call: () => Promise<number>) => () => Array.from({ length: n }, call);
/**
 * Calls per instance: enough that each instance's share costs several clock ticks (10 ms each) of CPU. A warm
 * call costs about 1 ms, so 20 per instance sometimes read as a single tick once the handlers were found once.
 */
const CALLS_PER_INSTANCE = 60;

describe('The Lambda runtime pool', () => {
  it('runs the functions in several serverless-offline processes, one per core and at least two', () => {
    expect(instances.length).toBe(Math.max(2, lambdaInstances()));
    expect(new Set(instances).size).toBe(instances.length);
    for (const pid of instances) expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('offline');
  });

  it('answers API Gateway calls from every instance', async () => {
    const { statuses, spent } = await cpuSpentBy(
      instances,
      times(CALLS_PER_INSTANCE * instances.length, () =>
        callOnNewConnection(ports.http, 'GET', '/dev/clientService/health'),
      ),
    );

    expect(statuses.every((status) => status === 200)).toBe(true);
    for (const ticks of spent) expect(ticks).toBeGreaterThanOrEqual(2);
  });

  it('answers Lambda Invoke API calls, as a Task makes them, from every instance', async () => {
    const path = `/2015-03-31/functions/${resourceName('clientGet')}/invocations`;
    const event = JSON.stringify({ input: { clientId: 'no-such-client' } });
    const { statuses, spent } = await cpuSpentBy(
      instances,
      times(CALLS_PER_INSTANCE * instances.length, () => callOnNewConnection(ports.lambda, 'POST', path, event)),
    );

    // The Invoke API answers 200 whatever the function did (a FunctionError is in the answer).
    expect(statuses.every((status) => status === 200)).toBe(true);
    for (const ticks of spent) expect(ticks).toBeGreaterThanOrEqual(2);
  });

  it('completes sagas started at once, whose Tasks the Step Functions endpoint invokes through the pool', async () => {
    const registrations = await Promise.all(
      Array.from({ length: 4 }, () => post('/api/client/register_client', newRegistration())),
    );

    expect(registrations.map(({ status }) => status)).toEqual([200, 200, 200, 200]);
  });
});
