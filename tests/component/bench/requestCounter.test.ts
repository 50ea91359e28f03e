import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/**
 * bench/requestCounter.mjs, loaded as the bench loads it into a cloud's processes (`--import`), counts what a
 * process sends by Host: through node:http (the AWS SDK's requests) and through undici (the Step Functions
 * endpoint's Task invocations).
 */
const COUNTER = pathToFileURL(resolve(__dirname, '../../../bench/requestCounter.mjs')).href;
const UNDICI = require.resolve('undici');

describe('bench/requestCounter.mjs', () => {
  let server: Server;
  let port: number;
  let dir: string;

  beforeAll(async () => {
    server = createServer((_, response) => response.end('ok'));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    port = (server.address() as AddressInfo).port;
  });
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'request-counter-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  it('counts requests sent through node:http and through undici, by host', async () => {
    const script = `
      const http = require('node:http');
      const { request } = require(${JSON.stringify(UNDICI)});
      const url = 'http://127.0.0.1:${port}/';
      (async () => {
        for (let i = 0; i < 2; i++) {
          await new Promise((done) => http.get(url, (answer) => answer.resume().on('end', done)));
        }
        for (let i = 0; i < 3; i++) await (await request(url, { method: 'POST', body: '{}' })).body.text();
        process.kill(process.pid, 'SIGUSR2');
        setTimeout(() => process.exit(0), 50);
      })();`;

    await promisify(execFile)(process.execPath, ['--import', COUNTER, '-e', script], {
      env: { ...process.env, BENCH_REQUEST_COUNTS_DIR: dir },
    });

    const [file] = readdirSync(dir);
    const written = JSON.parse(readFileSync(join(dir, file!), 'utf8')) as { seq: number; counts: unknown };
    expect(written.seq).toBe(1);
    expect(written.counts).toEqual({ [`127.0.0.1:${port}`]: 5 });
  });
});
