'use strict';
/**
 * The dev ingress: the original system's back door straight to each service, used by tests and the
 * Postman collection. One table of routes, read by serverless.yml as `${file(./serverless/dev-ingress.js):<function>}`;
 * on the `prod` stage every function gets no dev route at all.
 */
const ROUTES = {
  devServiceInfo: [
    ...['clientService', 'authService', 'billingService', 'orderService', 'notificationService'].flatMap((service) => [
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

module.exports = async ({ resolveVariable }) => {
  const stage = await resolveVariable('sls:stage');
  const enabled = !PRODUCTION_STAGES.has(stage);
  return Object.fromEntries(
    Object.entries(ROUTES).map(([fn, routes]) => [
      fn,
      enabled ? routes.map(([method, path]) => ({ http: { method, path: `dev/${path}` } })) : [],
    ]),
  );
};
module.exports.ROUTES = ROUTES;
