import { createRequire } from 'node:module';
import OfflineGateway from '../../../serverless/offline-gateway';

/** hapi and boom as serverless-offline resolves them: the server the plugin hooks is made from these. */
const fromOffline = createRequire(require.resolve('serverless-offline'));
const hapi = fromOffline('@hapi/hapi') as {
  server(options: object): any;
};
const boom = fromOffline('@hapi/boom') as { unauthorized(message: string): Error; forbidden(message: string): Error };

const resources = {
  Resources: {
    Unauthorized: {
      Type: 'AWS::ApiGateway::GatewayResponse',
      Properties: {
        ResponseType: 'UNAUTHORIZED',
        StatusCode: '401',
        ResponseTemplates: { 'application/json': '{"error":"Unauthorized"}' },
      },
    },
    Default4xx: {
      Type: 'AWS::ApiGateway::GatewayResponse',
      Properties: {
        ResponseType: 'DEFAULT_4XX',
        ResponseTemplates: { 'application/json': '{"error":$context.error.messageString}' },
      },
    },
  },
};

describe('Plugin: offline-gateway', () => {
  let server: any;
  let url: string;

  beforeAll(async () => {
    process.env['AUTHORIZER'] = JSON.stringify({ userId: 'u', clientId: 'victim' });
    const plugin = new OfflineGateway({ service: { resources: [{}, resources] } });
    plugin.hooks['before:offline:start:init']!();

    // A server built as serverless-offline builds its own: routes, its catch-all for unknown routes, start().
    server = hapi.server({ host: '127.0.0.1', port: 0 });
    server.route({
      method: 'GET',
      path: '/api/me',
      handler: (request: any) => {
        if (request.headers.cookie === undefined) throw boom.unauthorized('User is not authorized');
        return { headers: request.headers, rawHeaders: request.raw.req.rawHeaders };
      },
    });
    server.route({
      method: '*',
      path: '/{p*}',
      handler: (_: unknown, h: any) => h.response({ existingRoutes: [] }).code(404),
    });
    await server.start();
    url = `http://127.0.0.1:${server.info.port}`;
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('removes AUTHORIZER from the process, so serverless-offline cannot take an identity from it', () => {
    expect(process.env['AUTHORIZER']).toBeUndefined();
  });

  it('removes sls-offline-authorizer-override from the request before anything reads it', async () => {
    const response = await fetch(`${url}/api/me`, {
      headers: { cookie: 'session=x', 'sls-offline-authorizer-override': '{"clientId":"victim"}' },
    });
    const seen = (await response.json()) as { headers: Record<string, string>; rawHeaders: string[] };

    expect(response.status).toBe(200);
    expect(seen.headers).not.toHaveProperty('sls-offline-authorizer-override');
    expect(seen.rawHeaders.map((name) => name.toLowerCase())).not.toContain('sls-offline-authorizer-override');
    expect(seen.headers['cookie']).toBe('session=x');
  });

  it("answers the authorizer's 401 with the UNAUTHORIZED GatewayResponse", async () => {
    const response = await fetch(`${url}/api/me`);

    expect([response.status, await response.json()]).toEqual([401, { error: 'Unauthorized' }]);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnauthorizedException');
  });

  it('answers an unknown route 403 Missing Authentication Token, through DEFAULT_4XX', async () => {
    const response = await fetch(`${url}/no/such/route`, { method: 'POST' });

    expect([response.status, await response.json()]).toEqual([403, { error: 'Missing Authentication Token' }]);
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  });
});
