'use strict';
/**
 * Stage-wide API throttling from `custom.apiGatewayThrottling` ({ maxRequestsPerSecond, maxConcurrentRequests }),
 * written into the CloudFormation template itself: the API Gateway deployment's StageDescription sets the
 * stage's default method throttling, for every caller, keyed or not.
 *
 * Why a plugin of our own: the Framework only offers provider.apiGateway.usagePlan.throttle, which AWS applies
 * per API key (this API has none), and the serverless-api-gateway-throttling plugin updates the stage through
 * provider.request() after the deploy, which osls 4 no longer has.
 */
class StageThrottling {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = { 'before:package:finalize': () => this.apply() };
  }

  apply() {
    const settings = this.serverless.service.custom?.apiGatewayThrottling;
    if (!settings) return;
    const resources = this.serverless.service.provider.compiledCloudFormationTemplate.Resources;
    for (const resource of Object.values(resources)) {
      if (resource.Type !== 'AWS::ApiGateway::Deployment') continue;
      resource.Properties.StageDescription = {
        ...resource.Properties.StageDescription,
        ThrottlingRateLimit: settings.maxRequestsPerSecond,
        ThrottlingBurstLimit: settings.maxConcurrentRequests,
      };
    }
  }
}

module.exports = StageThrottling;
