'use strict';
/**
 * The API stage's settings, written into the CloudFormation template itself: the API Gateway deployment's
 * StageDescription sets
 * - stage-wide throttling from `custom.apiGatewayThrottling` ({ maxRequestsPerSecond, maxConcurrentRequests }),
 *   the stage's default method throttling, for every caller, keyed or not;
 * - X-Ray tracing from `custom.apiGatewayTracing` (a boolean).
 *
 * Why a plugin of our own: the Framework only offers provider.apiGateway.usagePlan.throttle, which AWS applies
 * per API key (this API has none), and the serverless-api-gateway-throttling plugin updates the stage through
 * provider.request() after the deploy, which osls 4 no longer has. The Framework's provider.tracing.apiGateway
 * also updates the stage through the SDK after the deploy, so the template (and the deploy tests) would not
 * show it.
 */
class StageSettings {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.apply() };
  }

  apply() {
    const custom = this.serverless.service.custom ?? {};
    const throttling = custom.apiGatewayThrottling;
    const settings = {
      ...(throttling
        ? {
            ThrottlingRateLimit: throttling.maxRequestsPerSecond,
            ThrottlingBurstLimit: throttling.maxConcurrentRequests,
          }
        : {}),
      ...(custom.apiGatewayTracing === undefined ? {} : { TracingEnabled: custom.apiGatewayTracing === true }),
    };
    if (Object.keys(settings).length === 0) return;
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    for (const resource of Object.values(resources)) {
      if (resource.Type !== 'AWS::ApiGateway::Deployment') continue;
      resource.Properties.StageDescription = { ...resource.Properties.StageDescription, ...settings };
    }
  }
}

module.exports = StageSettings;
