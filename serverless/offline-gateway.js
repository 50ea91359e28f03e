'use strict';
/**
 * The local gateway answers as API Gateway does. serverless-offline 13 (a hapi server) differs from a
 * deployed REST API where a client or an attacker notices:
 *
 * - it honours a request header `sls-offline-authorizer-override` (and the variable AUTHORIZER): JSON there
 *   replaces the authorizer's context, so any valid cookie could read and move another client's money.
 *   API Gateway has no such thing. The header is removed from every request before serverless-offline sees
 *   it, and AUTHORIZER from the process.
 * - a refused authorizer gives hapi's `{"statusCode":401,"error":"Unauthorized","message":…}`, and an unknown
 *   route a 404 listing every route. Deployed, the GatewayResponses of serverless.yml answer
 *   `{"error": …}`, and an unknown route (or method) is API Gateway's 403 "Missing Authentication Token".
 *   Here every answer the gateway itself makes is rendered from those same GatewayResponses, so the two
 *   cannot drift: UNAUTHORIZED for a 401 of the authorizer, ACCESS_DENIED for a 403, MISSING_AUTHENTICATION_TOKEN
 *   for an unknown route, DEFAULT_4XX / DEFAULT_5XX for any other error hapi raises.
 * - (hapi's own parsing of request cookies, which answered 400 `Invalid cookie value` before the authorizer
 *   ran, is turned off by serverless-offline's `disableCookieValidation` in serverless.yml: the authorizer
 *   parses the Cookie header itself, as on AWS.)
 *
 * How: serverless-offline keeps its hapi server private, so this wraps hapi's `Server.prototype.start` (hapi
 * as serverless-offline resolves it) and adds two request-lifecycle extensions, hapi's documented hook, to
 * the server as it starts. Only under `sls offline`; no deployed stage runs any of this.
 */
const { createRequire } = require('node:module');

const OVERRIDE_HEADER = 'sls-offline-authorizer-override';
/** serverless-offline's catch-all route, whose handler answers an unknown route. */
const NOT_FOUND_ROUTE = '/{p*}';

/** API Gateway's status and message for the response types the local gateway produces. */
const RESPONSE_TYPES = {
  UNAUTHORIZED: { statusCode: 401, message: 'Unauthorized', errorType: 'UnauthorizedException' },
  ACCESS_DENIED: {
    statusCode: 403,
    message: 'User is not authorized to access this resource',
    errorType: 'AccessDeniedException',
  },
  MISSING_AUTHENTICATION_TOKEN: {
    statusCode: 403,
    message: 'Missing Authentication Token',
    errorType: 'MissingAuthenticationTokenException',
  },
};

/** The AWS::ApiGateway::GatewayResponse resources of a service, by ResponseType. */
function gatewayResponsesOf(resources) {
  const parts = Array.isArray(resources) ? resources : [resources ?? {}];
  const responses = {};
  for (const part of parts) {
    for (const resource of Object.values(part?.Resources ?? {})) {
      if (resource?.Type !== 'AWS::ApiGateway::GatewayResponse') continue;
      const { ResponseType, StatusCode, ResponseTemplates } = resource.Properties ?? {};
      responses[ResponseType] = { statusCode: StatusCode, template: ResponseTemplates?.['application/json'] };
    }
  }
  return responses;
}

/**
 * What API Gateway answers for a response type, given the service's GatewayResponses: the type's own
 * response if it has one, else DEFAULT_4XX or DEFAULT_5XX, as API Gateway falls back. Only
 * `$context.error.messageString` (the message, as a quoted JSON string) is substituted.
 */
function gatewayAnswer(responses, type, statusCode, message) {
  const fallback = statusCode >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  const response = responses[type] ?? responses[fallback] ?? {};
  const status = Number(response.statusCode ?? statusCode);
  const template = response.template ?? '{"message":$context.error.messageString}';
  return {
    statusCode: status,
    body: template.split('$context.error.messageString').join(JSON.stringify(message)),
  };
}

/** Removes the override header from a request as hapi and serverless-offline read it (parsed and raw). */
function withoutOverride(request) {
  delete request.headers[OVERRIDE_HEADER];
  const raw = request.raw.req;
  delete raw.headers[OVERRIDE_HEADER];
  if (!Array.isArray(raw.rawHeaders)) return;
  const kept = [];
  for (let i = 0; i + 1 < raw.rawHeaders.length; i += 2) {
    if (raw.rawHeaders[i].toLowerCase() !== OVERRIDE_HEADER) kept.push(raw.rawHeaders[i], raw.rawHeaders[i + 1]);
  }
  raw.rawHeaders = kept;
}

/** The response type of an answer hapi or serverless-offline made itself, or undefined for a function's. */
function gatewayTypeOf(request) {
  const { response } = request;
  if (response?.isBoom) {
    const { statusCode } = response.output;
    if (statusCode === 401) return { type: 'UNAUTHORIZED', ...RESPONSE_TYPES.UNAUTHORIZED };
    if (statusCode === 403) return { type: 'ACCESS_DENIED', ...RESPONSE_TYPES.ACCESS_DENIED };
    if (statusCode === 404)
      return { type: 'MISSING_AUTHENTICATION_TOKEN', ...RESPONSE_TYPES.MISSING_AUTHENTICATION_TOKEN };
    const type = statusCode >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
    return { type, statusCode, message: response.output.payload?.message ?? response.message, errorType: undefined };
  }
  if (request.route?.path === NOT_FOUND_ROUTE && response?.statusCode === 404) {
    return { type: 'MISSING_AUTHENTICATION_TOKEN', ...RESPONSE_TYPES.MISSING_AUTHENTICATION_TOKEN };
  }
  return undefined;
}

function answerAsApiGateway(server, responses) {
  server.ext('onRequest', (request, h) => {
    withoutOverride(request);
    return h.continue;
  });
  server.ext('onPreResponse', (request, h) => {
    const made = gatewayTypeOf(request);
    if (made === undefined) return h.continue;
    const { statusCode, body } = gatewayAnswer(responses, made.type, made.statusCode, made.message);
    const answer = h.response(body).code(statusCode).type('application/json');
    return made.errorType === undefined ? answer : answer.header('x-amzn-ErrorType', made.errorType);
  });
}

class OfflineGateway {
  constructor(serverless) {
    this.serverless = serverless;
    this.installed = false;
    // Before serverless-offline's own hooks of `sls offline start` (and of plain `sls offline`) create the server.
    this.hooks = {
      'before:offline:start:init': () => this.install(),
      'before:offline:start': () => this.install(),
    };
  }

  install() {
    if (this.installed) return;
    this.installed = true;
    delete process.env.AUTHORIZER;
    const responses = gatewayResponsesOf(this.serverless.service.resources);
    const hapi = createRequire(require.resolve('serverless-offline'))('@hapi/hapi');
    const prototype = Object.getPrototypeOf(hapi.server({ autoListen: false }));
    const start = prototype.start;
    const configured = new WeakSet();
    prototype.start = function startAnsweringAsApiGateway(...args) {
      if (!configured.has(this)) {
        configured.add(this);
        answerAsApiGateway(this, responses);
      }
      return start.apply(this, args);
    };
  }
}

module.exports = OfflineGateway;
module.exports.gatewayResponsesOf = gatewayResponsesOf;
module.exports.gatewayAnswer = gatewayAnswer;
module.exports.RESPONSE_TYPES = RESPONSE_TYPES;
