/** Types of the Lambda pool's plugin, for local/offline.ts. */
declare class OfflinePool {
  constructor(serverless: unknown, options: unknown, logging: unknown);
}
declare namespace OfflinePool {
  /** What it logs once it has written the resolved configuration. */
  const CONFIG_WRITTEN: string;
}
export = OfflinePool;
