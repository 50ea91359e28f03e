import { join } from 'node:path';
import { build } from 'esbuild';

let script: Promise<string> | undefined;

/**
 * The Metrics page's script (metricsPage.ts with uPlot and its stylesheet), bundled by esbuild the first time
 * the page asks for it: the browser loads nothing from anywhere but this console.
 */
export function metricsPageScript(): Promise<string> {
  script ??= build({
    entryPoints: [join(__dirname, 'metricsPage.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    loader: { '.css': 'text' },
    logLevel: 'silent',
  }).then(
    (result) => result.outputFiles[0]!.text,
    (error: unknown) => {
      script = undefined;
      throw error;
    },
  );
  return script;
}
