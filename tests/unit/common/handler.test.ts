import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { handler as serviceInfo } from '../../../functions/dev/serviceInfo';
import { handler as signin } from '../../../functions/auth/signin';
import { tracer as loadedTracer } from '../../../lib/common/observability';
import DEV_SERVICES from '../../../lib/dev/devServices.json';
import { callHttp, httpEvent, parseBody } from '../support/events';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { ROUTES } = require('../../../serverless/dev-ingress.js') as { ROUTES: Record<string, string[][]> };

const FUNCTIONS = join(__dirname, '../../../functions');
const handlerFiles = readdirSync(FUNCTIONS, { recursive: true, encoding: 'utf8' }).filter((file) =>
  file.endsWith('.ts'),
);

describe('Factory: serviceHandler, the one handler edge', () => {
  it.each(handlerFiles)('builds %s through lib/common/handler, with no middleware chain of its own', (file) => {
    const source = readFileSync(join(FUNCTIONS, file), 'utf8');

    expect(source).toMatch(/import \{ (serviceHandler|observedHandler) \} from '\.\.\/\.\.\/lib\/common\/handler';/);
    expect(source).not.toMatch(/@middy\/|\.use\(|try \{/);
  });

  it("passes every call through the Tracer's middleware, without adding the answer to the trace", async () => {
    // The unit tests do not set POWERTOOLS_TRACE_ENABLED=false, so the Tracer is loaded (off, outside Lambda).
    const tracer = loadedTracer!;
    const subsegment = { close: jest.fn() };
    const segment = { addNewSubsegment: jest.fn(() => subsegment) };
    const spies = [
      jest.spyOn(tracer, 'isTracingEnabled').mockReturnValue(true),
      jest.spyOn(tracer, 'getSegment').mockReturnValue(segment as never),
      jest.spyOn(tracer, 'setSegment').mockImplementation(() => undefined),
      jest.spyOn(tracer, 'annotateColdStart').mockImplementation(() => undefined),
      jest.spyOn(tracer, 'addServiceNameAnnotation').mockImplementation(() => undefined),
    ];
    const addResponse = jest.spyOn(tracer, 'addResponseAsMetadata');
    try {
      const result = await callHttp(signin, httpEvent({ method: 'GET', path: '/api/auth/signin' }));

      expect([result.statusCode, parseBody(result)]).toEqual([200, { message: 'Please login!' }]);
      expect(segment.addNewSubsegment).toHaveBeenCalledTimes(1);
      expect(subsegment.close).toHaveBeenCalledTimes(1);
      expect(addResponse).not.toHaveBeenCalled();
    } finally {
      [...spies, addResponse].forEach((spy) => spy.mockRestore());
    }
  });
});

describe('Function: dev/serviceInfo', () => {
  const probe = (path: string) => callHttp(serviceInfo, httpEvent({ method: 'GET', path }));

  it.each(Object.entries(DEV_SERVICES))('answers the probes of %s', async (route, name) => {
    const hello = await probe(`/dev/${route}`);
    const health = await probe(`/dev/${route}/health`);

    expect([hello.statusCode, parseBody(hello)]).toEqual([200, { result: `I am ${name} service` }]);
    expect([health.statusCode, parseBody(health)]).toEqual([200, { status: 'OK' }]);
  });

  it('answers 404 for a service it does not know', async () => {
    const result = await probe('/dev/paymentService/health');

    expect([result.statusCode, parseBody(result)]).toEqual([404, { error: 'Unknown service' }]);
  });

  it('has exactly the routes of the services it answers for (one list, read by the dev ingress too)', () => {
    expect(ROUTES['devServiceInfo']).toEqual(
      Object.keys(DEV_SERVICES).flatMap((route) => [
        ['get', route],
        ['get', `${route}/health`],
      ]),
    );
  });
});
