import { logger } from '../../../lib/common/observability';

/**
 * Everything the Powertools logger prints while `action` runs, at DEBUG level. The logger writes JSON
 * lines through a Console bound to process.stdout/stderr, so those are what is spied on.
 */
export async function captureLogs<T>(action: () => Promise<T>): Promise<{ result: T; logs: string }> {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(String(chunk));
    return true;
  };
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
  // injectLambdaContext resets the level to the configured one (SILENT in unit tests) on every invocation.
  const keepLevel = jest.spyOn(logger, 'refreshSampleRateCalculation').mockImplementation(() => undefined);
  logger.setLogLevel('DEBUG');
  try {
    const result = await action();
    return { result, logs: lines.join('') };
  } finally {
    keepLevel.mockRestore();
    logger.setLogLevel('SILENT');
    stdout.mockRestore();
    stderr.mockRestore();
  }
}
