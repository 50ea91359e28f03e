import { fork, type ChildProcess } from 'node:child_process';
import { SFNClient } from '@aws-sdk/client-sfn';
import { runLoad, type LoadOptions, type LoadProgress, type LoadResult } from './load';
import { redriveProbe } from './sagaEnds';

/**
 * The load generator in a process of its own, so that its CPU and the Step Functions endpoint's (which runs in
 * the bench's process) are counted apart. The parent sends it a load to run; it answers with its progress and,
 * at the end, the load's result. Forked with the parent's runtime flags (tsx's loader) and environment (the
 * SDK pointed at the cloud, for the redrive probe).
 */

type ToChild = { type: 'run'; options: Omit<LoadOptions, 'onProgress' | 'waitsForRedrive'>; markAtS?: number };
type FromChild =
  | { type: 'progress'; progress: LoadProgress }
  | { type: 'mark'; at: number }
  | { type: 'done'; result: LoadResult }
  | { type: 'failed'; message: string };

export interface LoadProcess {
  pid: number;
  /**
   * Runs a load. With `mark`, `mark.onMark` is called `mark.atS` seconds into it with the time (Date.now() in
   * the load's process): the warm-up is over and the measured window begins, the same users going on.
   */
  run: (
    options: Omit<LoadOptions, 'onProgress' | 'waitsForRedrive'>,
    onProgress?: (progress: LoadProgress) => void,
    mark?: { atS: number; onMark: (at: number) => void },
  ) => Promise<LoadResult>;
  stop: () => Promise<void>;
}

export function startLoadProcess(): LoadProcess {
  const child: ChildProcess = fork(__filename, [], { serialization: 'advanced', stdio: 'inherit' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid: child.pid!,
    run: (options, onProgress, mark) =>
      new Promise<LoadResult>((resolve, reject) => {
        const listen = (message: FromChild) => {
          if (message.type === 'progress') return onProgress?.(message.progress);
          if (message.type === 'mark') return mark?.onMark(message.at);
          child.off('message', listen);
          child.off('exit', gone);
          if (message.type === 'done') resolve(message.result);
          else reject(new Error(`load generator: ${message.message}`));
        };
        const gone = () => reject(new Error('the load generator exited'));
        child.on('message', listen);
        child.once('exit', gone);
        child.send({ type: 'run', options, ...(mark ? { markAtS: mark.atS } : {}) } satisfies ToChild);
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      await exited;
    },
  };
}

if (require.main === module && process.send) {
  const send = (message: FromChild) => process.send!(message);
  const waitsForRedrive = redriveProbe(new SFNClient({}));
  process.on('message', (message: ToChild) => {
    if (message.markAtS !== undefined) {
      setTimeout(() => send({ type: 'mark', at: Date.now() }), message.markAtS * 1000);
    }
    runLoad({ ...message.options, waitsForRedrive, onProgress: (progress) => send({ type: 'progress', progress }) })
      .then((result) => send({ type: 'done', result }))
      .catch((error: unknown) =>
        send({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
      );
  });
  // The parent gone (killed, or it stopped without stopping this): nothing left to run a load for.
  process.on('disconnect', () => process.exit(0));
}
