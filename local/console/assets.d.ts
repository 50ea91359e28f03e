/** Stylesheets the Metrics page imports: esbuild's `text` loader makes them strings (metricsBundle.ts). */
declare module '*.css' {
  const text: string;
  export default text;
}
