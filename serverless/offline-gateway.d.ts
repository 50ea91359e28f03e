/** Types of the local gateway plugin's helpers, for the deploy tests. */
export interface GatewayResponse {
  statusCode?: string | number;
  template?: string;
}
export declare function gatewayResponsesOf(resources: unknown): Record<string, GatewayResponse>;
export declare function gatewayAnswer(
  responses: Record<string, GatewayResponse>,
  type: string,
  statusCode: number,
  message: string,
): { statusCode: number; body: string };
