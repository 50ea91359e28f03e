'use strict';
/**
 * The local Lambda Invoke API answers as AWS Lambda's does. serverless-offline 13 serves it from a hapi server
 * (its src/lambda/HttpServer.js) whose answers differ from AWS's where a caller notices:
 *
 * - a thrown error's `errorType` is always "Error" (its issue #1631); AWS's Node.js runtime reports the error's
 *   `name`, which is what Step Functions' Retry and Catch match and what a calling function maps back to a typed
 *   error;
 * - a string result is put in quotes without escaping (a result `a"b` becomes the invalid JSON `"a"b"`), and a
 *   handler that returns nothing answers an empty body, where AWS answers the result as JSON (`null`);
 * - an unknown function is a 404 whose body the SDK cannot read as ResourceNotFoundException, a payload that is
 *   not JSON a 500, a DryRun a 400; a function named by its ARN is not found.
 *
 * And hapi's request lifecycle cost about a tenth of a pool instance's CPU (docs/BENCHMARKS.md), on the route
 * that carries most of an instance's requests. So the Lambda port is served here by a node:http server: the hapi
 * server serverless-offline builds for it is never started (hapi's `start` and `stop` are wrapped, for that
 * server alone), and the functions still run through serverless-offline's own runtime: its `Lambda` gives an
 * idle instance of a function (`getByFunctionName`), and `LambdaFunction.runHandler` runs it with its timeout and
 * logs the duration line the local cloud's metrics read. Only under `sls offline`; no deployed stage runs this.
 */
const { randomUUID } = require('node:crypto');
const { createServer } = require('node:http');
const { beforeOfflineStarts, hapiServerPrototype, offlineModule } = require('./offline-internals');
const { types } = require('node:util');

/** serverless-offline's path of the Invoke route, by which its hapi server for the Lambda port is told apart. */
const INVOKE_ROUTE_PATH = '/2015-03-31/functions/{functionName}/invocations';
const INVOKE = /^\/2015-03-31\/functions\/([^/?]+)\/invocations\/?(?:\?(.*))?$/;
const INVOKE_ASYNC = /^\/2014-11-13\/functions\/([^/?]+)\/invoke-async\/?(?:\?(.*))?$/;
/** AWS's quota on a synchronous invocation's request and response payloads (6 MB). */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
const INVOCATION_TYPES = ['RequestResponse', 'Event', 'DryRun'];
/** A function name, a partial ARN (`<account>:function:<name>`) or a full one, each with an optional qualifier. */
const FUNCTION_NAME =
  /^(?:arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:|\d{12}:function:)?([a-zA-Z0-9_-]{1,64})(?::(\$LATEST|[a-zA-Z0-9_-]{1,128}))?$/;

/**
 * What AWS's Node.js runtime answers for an error a handler threw or rejected with (the runtime interface
 * client's `toRapidResponse`): an Error's name, message and stack lines; anything else by its type.
 */
function functionErrorPayload(error) {
  if (types.isNativeError(error) || (error instanceof Object && typeof error.stack === 'string')) {
    const trace = error.stack.split('\n');
    // A function run in a worker thread (`--isolated-lambdas`) throws across threads as a structured clone,
    // which keeps the stack but names every error "Error": the stack's first line has the name it was thrown as.
    const cloned = error.name === 'Error' ? /^([A-Za-z_$][\w$.]*): /.exec(trace[0] ?? '') : null;
    return { errorType: cloned?.[1] ?? error.name, errorMessage: error.message, trace };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

/** The answer to a request, before it is written: status, headers and a body (a string, possibly empty). */
function answer(status, headers, body = '') {
  return { status, headers, body };
}

/** A Lambda API error as the REST-JSON protocol carries it: the type in a header, `Type` and `Message` in JSON. */
function apiError(status, errorType, message, requestId) {
  return answer(
    status,
    { 'content-type': 'application/json', 'x-amzn-errortype': errorType, 'x-amzn-requestid': requestId },
    JSON.stringify({ Type: 'User', Message: message }),
  );
}

/**
 * Answers one request of the Lambda Invoke API (Invoke, and the deprecated InvokeAsync) as AWS does.
 * `runtime` is serverless-offline's Lambda (`listFunctionNames`, `getByFunctionName`); `functionArn` names a
 * function as AWS's messages do; `timeoutSecondsOf` says a function's timeout, for the message of a timeout.
 */
async function answerInvoke(runtime, { method, url, headers, body, bodyBytes }, { functionArn, timeoutSecondsOf }) {
  const requestId = randomUUID();
  const invoke = INVOKE.exec(url);
  const invokeAsync = invoke ? null : INVOKE_ASYNC.exec(url);
  const route = invoke ?? invokeAsync;
  if (method !== 'POST' || route === null) {
    return apiError(404, 'UnknownOperationException', 'Unknown operation', requestId);
  }
  const identifier = decodeURIComponent(route[1]);
  const qualifier = new URLSearchParams(route[2] ?? '').get('Qualifier');
  const named = FUNCTION_NAME.exec(identifier);
  const name = named?.[1];
  const version = qualifier ?? named?.[2];
  if (named === null || !runtime.listFunctionNames().includes(name) || (version && version !== '$LATEST')) {
    const arn = functionArn(name ?? identifier) + (version ? `:${version}` : '');
    return apiError(404, 'ResourceNotFoundException', `Function not found: ${arn}`, requestId);
  }
  const type = invokeAsync ? 'Event' : (headers['x-amz-invocation-type'] ?? 'RequestResponse');
  if (!INVOCATION_TYPES.includes(type)) {
    const message =
      `1 validation error detected: Value '${type}' at 'invocationType' failed to satisfy constraint: ` +
      `Member must satisfy enum value set: [${INVOCATION_TYPES.join(', ')}]`;
    return apiError(400, 'ValidationException', message, requestId);
  }
  if (bodyBytes > MAX_PAYLOAD_BYTES) {
    const message = `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`;
    return apiError(413, 'RequestTooLargeException', message, requestId);
  }
  let event;
  let clientContext;
  try {
    event = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch (error) {
    return apiError(
      400,
      'InvalidRequestContentException',
      `Could not parse request body into json: ${error.message}`,
      requestId,
    );
  }
  const contextHeader = headers['x-amz-client-context'];
  if (contextHeader) {
    try {
      clientContext = JSON.parse(Buffer.from(contextHeader, 'base64').toString('utf8'));
    } catch {
      return apiError(
        400,
        'InvalidRequestContentException',
        'Client context must be a valid Base64-encoded JSON object.',
        requestId,
      );
    }
  }
  const ok = { 'x-amzn-requestid': requestId };
  if (type === 'DryRun') return answer(204, ok);
  const run = () => {
    const instance = runtime.getByFunctionName(name);
    instance.setClientContext(clientContext);
    instance.setEvent(event);
    return instance.runHandler();
  };
  if (type === 'Event') {
    // Accepted, then run: the caller never hears how it went, the function's log does (as on AWS).
    run().catch((error) => {
      const { errorType, errorMessage } = functionErrorPayload(error);
      console.error(`offline-invoke: ${name} (an Event invocation) failed: ${errorType}: ${errorMessage}`);
    });
    return answer(202, ok, invokeAsync ? JSON.stringify({ Status: 202 }) : '');
  }
  const executed = { ...ok, 'content-type': 'application/json', 'x-amz-executed-version': '$LATEST' };
  const failed = (failure) =>
    answer(200, { ...executed, 'x-amz-function-error': 'Unhandled' }, JSON.stringify(failure));
  let result;
  try {
    result = await run();
  } catch (error) {
    if (error?.constructor?.name !== 'LambdaTimeoutError') return failed(functionErrorPayload(error));
    const seconds = timeoutSecondsOf(name).toFixed(2);
    return failed({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${requestId} Error: Task timed out after ${seconds} seconds`,
    });
  }
  const payload = JSON.stringify(result === undefined ? null : result);
  if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) {
    return failed({
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_PAYLOAD_BYTES} bytes).`,
    });
  }
  return answer(200, executed, payload);
}

/** A node:http server answering the Invoke API with `answerInvoke`. */
function invokeServer(runtime, settings) {
  const server = createServer((request, response) => {
    const chunks = [];
    let bodyBytes = 0;
    request.on('data', (chunk) => {
      // Past the quota nothing more is kept: the size alone decides the answer.
      bodyBytes += chunk.length;
      if (bodyBytes <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
    });
    request.on('end', async () => {
      const body = bodyBytes > MAX_PAYLOAD_BYTES ? Buffer.alloc(0) : Buffer.concat(chunks);
      const asked = { method: request.method, url: request.url ?? '', headers: request.headers, body, bodyBytes };
      const {
        status,
        headers,
        body: text,
      } = await answerInvoke(runtime, asked, settings).catch((error) =>
        // A failure of the runtime itself, not of a function: AWS's ServiceException, which callers retry.
        apiError(500, 'ServiceException', `offline-invoke: ${error?.message ?? error}`, randomUUID()),
      );
      response.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(text) });
      response.end(text);
    });
  });
  server.keepAliveTimeout = 60_000;
  return server;
}

/** Closes a server, and after `timeoutMs` the connections still open (as hapi's `stop({ timeout })` does). */
function closeServer(server, timeoutMs) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    setTimeout(() => server.closeAllConnections(), timeoutMs ?? 0).unref();
  });
}

class OfflineInvoke {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = beforeOfflineStarts(() => this.install());
  }

  install() {
    const { service } = this.serverless;
    const region = service.provider.region ?? 'us-east-1';
    const functionArn = (name) => `arn:aws:lambda:${region}:000000000000:function:${name}`;
    const timeouts = new Map(
      service.getAllFunctions().map((key) => {
        const definition = service.getFunction(key);
        return [definition.name, Number(definition.timeout ?? service.provider.timeout ?? 6)];
      }),
    );
    const settings = { functionArn, timeoutSecondsOf: (name) => timeouts.get(name) ?? 6 };

    // serverless-offline's Lambda runtime, an ES module (the instance serverless-offline imported).
    const { default: Lambda } = offlineModule('lambda', 'Lambda.js');
    // The process's one runtime, noted as serverless-offline creates its functions (before any server starts).
    let runtime;
    const noteRuntime = (created) => void (runtime = created);
    const create = Lambda.prototype.create;
    Lambda.prototype.create = function createNotingTheRuntime(...args) {
      noteRuntime(this);
      return create.apply(this, args);
    };

    const prototype = hapiServerPrototype();
    const { start, stop } = prototype;
    const replacements = new WeakMap();
    prototype.start = async function startTheInvokeApiOnNodeHttp(...args) {
      if (!this.table().some((route) => route.path === INVOKE_ROUTE_PATH)) return start.apply(this, args);
      if (runtime === undefined) throw new Error('offline-invoke: the Lambda runtime was not created');
      const server = invokeServer(runtime, settings);
      replacements.set(this, server);
      const { host, port } = this.settings;
      await new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    };
    prototype.stop = function stopTheInvokeApi(options, ...args) {
      const server = replacements.get(this);
      if (server === undefined) return stop.call(this, options, ...args);
      replacements.delete(this);
      return closeServer(server, options?.timeout);
    };
  }
}

module.exports = OfflineInvoke;
module.exports.answerInvoke = answerInvoke;
module.exports.functionErrorPayload = functionErrorPayload;
module.exports.MAX_PAYLOAD_BYTES = MAX_PAYLOAD_BYTES;
