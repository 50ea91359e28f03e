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
 * - an authorizer that fails (throws anything but exactly `Error('Unauthorized')`, as when it cannot read the
 *   sessions table) is a 401 "Unauthorized" in serverless-offline, whose auth scheme catches every error alike:
 *   a client would take a DynamoDB hiccup for a session that is gone. API Gateway answers that with the
 *   AUTHORIZER_CONFIGURATION_ERROR response (500, `x-amzn-ErrorType: AuthorizerConfigurationException`, falling
 *   back to DEFAULT_5XX here), which a client retries. Each authentication runs in an AsyncLocalStorage context
 *   (hapi's `server.auth.scheme`, wrapped), serverless-offline's `LambdaFunction.runHandler` notes there a
 *   failure that is not `Unauthorized`, and the scheme's 401 then becomes that 500.
 * - (hapi's own parsing of request cookies, which answered 400 `Invalid cookie value` before the authorizer
 *   ran, is turned off by serverless-offline's `disableCookieValidation` in serverless.yml: the authorizer
 *   parses the Cookie header itself, as on AWS.)
 *
 * How: serverless-offline keeps its hapi server private, so this wraps hapi's `Server.prototype.start` (hapi
 * as serverless-offline resolves it) and adds two request-lifecycle extensions, hapi's documented hook, to
 * the server as it starts. Only under `sls offline`; no deployed stage runs any of this.
 */
const { AsyncLocalStorage } = require('node:async_hooks');
const { dirname, join } = require('node:path');
const { beforeOfflineStarts, hapiServerPrototype, offlineModule, offlineRequire } = require('./offline-internals');

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
  AUTHORIZER_CONFIGURATION_ERROR: {
    statusCode: 500,
    message: null,
    errorType: 'AuthorizerConfigurationException',
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
  if (response?.[AUTHORIZER_FAILED]) {
    return { type: 'AUTHORIZER_CONFIGURATION_ERROR', ...RESPONSE_TYPES.AUTHORIZER_CONFIGURATION_ERROR };
  }
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

/** The authentication in progress, where serverless-offline's Lambda runner notes the authorizer's failure. */
const authentications = new AsyncLocalStorage();
/** Marks the error that replaces a failed authorizer's 401. */
const AUTHORIZER_FAILED = Symbol('authorizer failed');

/**
 * Notes, in the authentication in progress, an authorizer that failed with anything but exactly
 * `Unauthorized` (API Gateway's rule: that message alone is a 401). serverless-offline's classes are ES modules
 * (require(esm): the same module instance serverless-offline imported).
 */
function noteAuthorizerFailures() {
  let LambdaFunction;
  try {
    ({ default: LambdaFunction } = offlineModule('lambda', 'LambdaFunction.js'));
  } catch (error) {
    // Under Jest (tests/unit/local/offlineGateway.test.ts), whose require has no ES modules; tests/integration/
    // faults.test.ts holds the real gateway to the 500.
    process.emitWarning(`offline-gateway: a failing authorizer stays a 401 (${error.message.split('\n')[0]})`);
    return;
  }
  const runHandler = LambdaFunction.prototype.runHandler;
  LambdaFunction.prototype.runHandler = async function runNotingAuthorizerFailures(...args) {
    try {
      return await runHandler.apply(this, args);
    } catch (error) {
      const authentication = authentications.getStore();
      if (authentication !== undefined && error?.message !== 'Unauthorized') authentication.failed = true;
      throw error;
    }
  };
}

/** hapi's `auth.scheme`, each strategy's `authenticate` run in an authentication context of its own. */
function failedAuthorizersAnswer500(authPrototype, Boom) {
  const scheme = authPrototype.scheme;
  authPrototype.scheme = function schemeNotingAuthorizerFailures(name, implementation) {
    return scheme.call(this, name, (...schemeArgs) => {
      const strategy = implementation(...schemeArgs);
      const authenticate = strategy.authenticate;
      strategy.authenticate = function authenticateNotingAuthorizerFailures(request, h) {
        const authentication = { failed: false };
        return authentications.run(authentication, async () => {
          const answer = await authenticate.call(this, request, h);
          if (!authentication.failed || !answer?.isBoom || answer.output.statusCode !== 401) return answer;
          const failure = Boom.internal('authorizer failed');
          failure[AUTHORIZER_FAILED] = true;
          return failure;
        });
      };
      return strategy;
    });
  };
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
    this.hooks = beforeOfflineStarts(() => this.install());
  }

  install() {
    delete process.env.AUTHORIZER;
    const responses = gatewayResponsesOf(this.serverless.service.resources);
    const fromOffline = offlineRequire();
    // hapi's Auth class, whose `scheme` each server's `server.auth.scheme` binds when the server is created.
    const Auth = require(join(dirname(fromOffline.resolve('@hapi/hapi')), 'auth.js'));
    failedAuthorizersAnswer500(Auth.prototype, fromOffline('@hapi/boom'));
    noteAuthorizerFailures();
    const prototype = hapiServerPrototype();
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
