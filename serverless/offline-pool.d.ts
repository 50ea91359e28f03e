/** Types of the Lambda pool's plugin, for local/offline.ts. */
declare class OfflinePool {
  constructor(serverless: unknown, options: unknown, logging: unknown);
}
declare namespace OfflinePool {
  /** What it logs once it has written the resolved configuration. */
  const CONFIG_WRITTEN: string;
  /** The pool's messages: an instance awaiting the first one's bundle, and the word that it is written. */
  const AWAIT_BUNDLE: string;
  const BUNDLED: string;
  /** Makes serverless-offline's in-process runner find each handler once (see offline-pool.js). */
  function loadHandlersOnce(): void;
}
export = OfflinePool;
