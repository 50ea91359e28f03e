import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { assertPortFree, portHolder } from '../../../local/process';

/**
 * A start that finds its port taken names the process that holds it, so that one left behind by a killed start
 * (kill -9 leaves a command's children running: README, Ctrl-C) can be stopped without searching for it.
 */
describe('A port already taken', () => {
  let server: Server;
  let child: ChildProcess | undefined;

  afterEach(async () => {
    child?.kill('SIGKILL');
    child = undefined;
    if (server?.listening) await new Promise((resolve) => server.close(resolve));
  });

  it('is refused with the pid and command of the process listening on it', async () => {
    // Prepare: another process listening on a port of its own choosing, which it prints.
    child = spawn(process.execPath, [
      '-e',
      "const s = require('node:net').createServer().listen(0, '127.0.0.1', () => console.log(s.address().port))",
    ]);
    const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
    const port = Number(chunk.toString().trim());

    // Act and assess
    expect(portHolder(port)).toEqual({ pid: child.pid, command: expect.stringContaining('createServer') });
    await expect(assertPortFree(port, 'DynamoDB Local')).rejects.toThrow(
      new RegExp(
        `^Port ${port} \\(DynamoDB Local\\) is already in use by pid ${child.pid} \\(.*createServer.*\\).*kill ${child.pid}`,
      ),
    );
  });

  it('finds this process too, and nothing once the port is free', async () => {
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    expect(portHolder(port)?.pid).toBe(process.pid);

    await new Promise((resolve) => server.close(resolve));
    expect(portHolder(port)).toBeUndefined();
    await expect(assertPortFree(port, 'API Gateway')).resolves.toBeUndefined();
  });
});
