/** Types of the local Lambda Invoke API's plugin, for the tests. */
declare class OfflineInvoke {
  constructor(serverless: unknown);
  hooks: Record<string, () => void>;
}
declare namespace OfflineInvoke {
  /** What serverless-offline's Lambda runtime gives: the functions' names and an idle instance of one. */
  interface Runtime {
    listFunctionNames(): string[];
    getByFunctionName(name: string): {
      setClientContext(context: unknown): void;
      setEvent(event: unknown): void;
      runHandler(): Promise<unknown>;
    };
  }
  interface Asked {
    method: string;
    url: string;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
    bodyBytes: number;
  }
  interface Settings {
    functionArn(name: string): string;
    timeoutSecondsOf(name: string): number;
  }
  interface Answer {
    status: number;
    headers: Record<string, string>;
    body: string;
  }
  function answerInvoke(runtime: Runtime, asked: Asked, settings: Settings): Promise<Answer>;
  function functionErrorPayload(error: unknown): { errorType: string; errorMessage: string; trace: string[] };
  const MAX_PAYLOAD_BYTES: number;
}
export = OfflineInvoke;
