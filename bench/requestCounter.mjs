// Loaded into each Node process of a benchmark's local cloud (`--import`, from NODE_OPTIONS: see
// bench/requestCounts.ts): counts the HTTP requests the process sends, by the Host they go to, from the
// diagnostics channels of node:http and undici (one map increment per request, nothing on the wire changes). On SIGUSR2 it writes the
// counts so far to <BENCH_REQUEST_COUNTS_DIR>/<pid>.json, with a sequence number the reader waits on.
// With BENCH_CPU_PROFILE_DIR (`npm run bench -- --cpu-prof <dir>`) it also profiles the measured window: the
// first SIGUSR2 (the window's start) starts V8's sampling profiler, the second writes <dir>/<pid>.cpuprofile
// (Node refuses --cpu-prof in NODE_OPTIONS, and it would profile the whole life, start-up included).
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Session } from 'node:inspector/promises';
import { isMainThread } from 'node:worker_threads';

const dir = process.env.BENCH_REQUEST_COUNTS_DIR;
// A worker thread of the same process would write the same file: only the main thread counts.
if (dir && isMainThread) {
  const counts = {};
  const count = (host) => (counts[host] = (counts[host] ?? 0) + 1);
  subscribe('http.client.request.start', ({ request }) => count(String(request.getHeader('host') ?? request.host)));
  // undici's requests (the Step Functions endpoint's Task invocations, fetch) do not go through node:http.
  subscribe('undici:request:create', ({ request }) => count(new URL(String(request.origin)).host));
  let seq = 0;
  const write = () => {
    writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify({ pid: process.pid, seq: seq++, counts }));
  };
  write();
  process.on('SIGUSR2', write);
  const profiles = process.env.BENCH_CPU_PROFILE_DIR;
  if (profiles) {
    const session = new Session();
    session.connect();
    let profiling = false;
    process.on('SIGUSR2', () => {
      profiling = !profiling;
      const step = profiling
        ? session.post('Profiler.enable').then(() => session.post('Profiler.start'))
        : session
            .post('Profiler.stop')
            .then(({ profile }) => writeFileSync(join(profiles, `${process.pid}.cpuprofile`), JSON.stringify(profile)));
      step.catch((error) => process.stderr.write(`cpu profile: ${error}\n`));
    });
  }
}
