'use strict';
/**
 * The dev ingress: the original system's back door straight to each service, used by tests and the
 * Postman collection. One table of routes, read by serverless.yml as `${file(./serverless/dev-ingress.js):<function>}`;
 * on the `prod` stage every function gets no dev route at all.
 *
 * The door moves money and reads personal data for any client, so on every deployed stage (`dev`, `local`,
 * a feature branch's) its routes require IAM: a request signed with AWS Signature V4 by a principal allowed
 * `execute-api:Invoke` on them (the deployer's credentials are). Only the embedded local cloud (`offline`,
 * plain http://localhost) leaves it open, for the tests and the local Postman run.
 */
// The services' route names, stated once: the probes' function (lib/dev/serviceInfo.ts) answers from the same file.
const DEV_SERVICES = Object.keys(require('../lib/dev/devServices.json'));

const ROUTES = {
  devServiceInfo: [
    ...DEV_SERVICES.flatMap((service) => [
      ['get', service],
      ['get', `${service}/health`],
    ]),
  ],
  clientAdd: [['post', 'clientService/client/add']],
  clientApprove: [['post', 'clientService/client/approve']],
  clientReject: [['post', 'clientService/client/reject']],
  clientGet: [['get', 'clientService/client/{clientId}']],
  authRegister: [['post', 'authService/user/register']],
  billingCreateAccount: [['post', 'billingService/billing/createAccount']],
  billingDeposit: [['post', 'billingService/billing/deposit']],
  billingWithdraw: [['post', 'billingService/billing/withdraw']],
  billingGet: [['get', 'billingService/billing/{clientId}']],
  billingTransactions: [['get', 'billingService/billing/{clientId}/transactions']],
  orderCreate: [['post', 'orderService/order/create']],
  orderConfirm: [['post', 'orderService/order/confirm']],
  orderReject: [['post', 'orderService/order/reject']],
  orderGet: [['get', 'orderService/order/{orderId}']],
  notifyNewClientCreated: [['post', 'notificationService/notify/newClientCreated']],
  notifyNewOrderCreated: [['post', 'notificationService/notify/newOrderCreated']],
  notificationLast: [['get', 'notificationService/notification/last']],
  notificationsOfClient: [['get', 'notificationService/notification/client/{clientId}']],
};

const PRODUCTION_STAGES = new Set(['prod']);

/**
 * The `http` events of the dev routes on a stage: none on prod, IAM-protected wherever it is deployed, open
 * only in the embedded local cloud (serverless.yml's custom.stage.embedded).
 */
function devEvents(stage, embedded) {
  if (PRODUCTION_STAGES.has(stage)) return Object.fromEntries(Object.keys(ROUTES).map((fn) => [fn, []]));
  const protection = embedded === true ? {} : { authorizer: 'aws_iam' };
  return Object.fromEntries(
    Object.entries(ROUTES).map(([fn, routes]) => [
      fn,
      routes.map(([method, path]) => ({ http: { method, path: `dev/${path}`, ...protection } })),
    ]),
  );
}

module.exports = async ({ resolveVariable }) =>
  devEvents(await resolveVariable('sls:stage'), await resolveVariable('self:custom.stage.embedded'));
module.exports.ROUTES = ROUTES;
module.exports.devEvents = devEvents;
