/**
 * Runs a script's `main` and exits with the code it returns: a rejection prints its name and message (no stack:
 * these are tools whose errors are the SDK's or the user's) and exits 1. The exit code is set rather than
 * `process.exit` called, so that whatever is still being written (stdout to a pipe) is written.
 */
export function runMain(main: () => Promise<number>): void {
  main().then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
      process.exitCode = 1;
    },
  );
}
