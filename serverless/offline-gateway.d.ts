/** Types of the local gateway plugin and its helpers, for the tests. */
declare class OfflineGateway {
  constructor(serverless: { service: { resources?: unknown } });
  hooks: Record<string, () => void>;
}
declare namespace OfflineGateway {
  interface GatewayResponse {
    statusCode?: string | number;
    template?: string;
  }
  function gatewayResponsesOf(resources: unknown): Record<string, GatewayResponse>;
  function gatewayAnswer(
    responses: Record<string, GatewayResponse>,
    type: string,
    statusCode: number,
    message: string,
  ): { statusCode: number; body: string };
}
export = OfflineGateway;
