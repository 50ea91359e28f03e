import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SFNClient } from '@aws-sdk/client-sfn';
import { TEST_PORT_OFFSETS, testPortBase } from './ports';

/** What a fake function does on one call: answer, throw a named error, fail as a service, or never answer. */
export type FakeReply =
  { result: unknown } | { throws: string; message?: string } | { status: number } | { hang: true };

export interface FakeLambda {
  url: string;
  /** Every call received, in order. */
  calls: { functionName: string; payload: unknown }[];
  /** Scripts a function's replies, one per call; the last one repeats. */
  script: (functionName: string, ...replies: FakeReply[]) => void;
  /** Answers the calls left hanging with `reply`. */
  release: (reply: FakeReply) => void;
  stop: () => Promise<void>;
}

/** A port for a server a component or e2e test starts, beside the integration tier's (TEST_PORT_BASE + 10 and up). */
export const unitTestPort = (offset: number) => testPortBase() + TEST_PORT_OFFSETS.servers + offset;

/**
 * A stand-in for the Lambda Invoke API, answering as AWS's (and the local cloud's, serverless/offline-invoke.js)
 * does: a thrown error is a 200 with `X-Amz-Function-Error: Unhandled` and `{errorType, errorMessage, trace}`,
 * `errorType` the error's name.
 */
export async function startFakeLambda(port: number): Promise<FakeLambda> {
  const scripts = new Map<string, FakeReply[]>();
  const calls: FakeLambda['calls'] = [];
  const hanging: ((reply: FakeReply) => void)[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/.exec(request.url ?? '');
      const functionName = decodeURIComponent(match?.[1] ?? '');
      const text = Buffer.concat(chunks).toString('utf8');
      calls.push({ functionName, payload: text === '' ? {} : JSON.parse(text) });
      const replies = scripts.get(functionName) ?? [];
      const answer = (reply: FakeReply) => {
        if ('hang' in reply) return void hanging.push(answer);
        if ('status' in reply) return void response.writeHead(reply.status).end();
        if ('throws' in reply) {
          const message = reply.message ?? `${reply.throws} happened`;
          const trace = [`${reply.throws}: ${message}`, '    at handler (/var/task/index.js:1:1)'];
          response.writeHead(200, { 'content-type': 'application/json', 'x-amz-function-error': 'Unhandled' });
          return void response.end(JSON.stringify({ errorType: reply.throws, errorMessage: message, trace }));
        }
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply.result));
      };
      if (!match) return void response.writeHead(404).end();
      answer((replies.length > 1 ? replies.shift() : replies[0]) ?? { result: null });
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    script: (functionName, ...replies) => void scripts.set(functionName, replies),
    release: (reply) => {
      for (const answer of hanging.splice(0)) answer(reply);
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The real SDK client, pointed at a local Step Functions endpoint. TestState is sent to a `sync-` host
 * prefix on AWS; with an endpoint of one's own, the prefix must be off.
 */
export const sfnClient = (endpoint: string) =>
  new SFNClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
    disableHostPrefix: true,
  });
