import type { ExecutionTrace, Failure, StateMark } from './executionTrace';

/** The trace as `npm run trace` prints it: one line per state taken, retries and errors beneath. */

export interface TraceHeading {
  machine: string;
  name: string;
  executionArn: string;
}

const ANSI: Record<StateMark | 'dim' | 'bold', string> = {
  succeeded: '32',
  retried: '33',
  caught: '38;5;208',
  compensated: '35',
  failed: '31',
  running: '36',
  'not-entered': '2',
  dim: '2',
  bold: '1',
};

/** A Lambda error's cause is its JSON error object: its message says it best. */
export function causeText(cause: string | undefined, max = 160): string {
  if (!cause) return '';
  let text = cause;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') text = parsed.errorMessage;
  } catch {
    // not JSON: the cause as it is
  }
  text = text.replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

const failureText = (failure: Failure) =>
  [failure.error ?? 'error', causeText(failure.cause)].filter((part) => part !== '').join(': ');

export function formatTrace(heading: TraceHeading, trace: ExecutionTrace, options: { color?: boolean } = {}): string {
  const paint = (code: keyof typeof ANSI, text: string) => (options.color ? `\x1b[${ANSI[code]}m${text}\x1b[0m` : text);
  const statusCode: keyof typeof ANSI =
    trace.status === 'SUCCEEDED' ? 'succeeded' : trace.status === 'RUNNING' ? 'running' : 'failed';
  const started = trace.startedAt === undefined ? '' : `, started ${new Date(trace.startedAt).toISOString()}`;
  const redriven = trace.redrives.length === 0 ? '' : `, redriven ${trace.redrives.length}×`;
  const lines = [
    `${paint('bold', `${heading.machine} / ${heading.name}`)}  ${paint(statusCode, trace.status)}  (${formatDuration(trace.durationMs)}${started}${redriven})`,
    paint('dim', heading.executionArn),
    '',
  ];
  const nameWidth = Math.max(5, ...trace.steps.map((step) => step.name.length));
  const typeWidth = Math.max(4, ...trace.steps.map((step) => step.type.length));
  trace.steps.forEach((step, index) => {
    const offset = trace.startedAt === undefined ? '' : `+${formatDuration(step.enteredAt - trace.startedAt)}`;
    const running = step.outcome === 'running' ? ' …' : '';
    if (step.redrive !== undefined) {
      const at = trace.redrives.find((redrive) => redrive.count === step.redrive)?.at;
      const when = at === undefined ? '' : ` at ${new Date(at).toISOString()}`;
      lines.push(`${' '.repeat(5)}${paint('running', `⟳ redrive ${step.redrive}${when}: resumed at ${step.name}`)}`);
    }
    const attempts = step.attempts > 1 ? paint('dim', `  ${step.attempts} attempts`) : '';
    lines.push(
      [
        String(index + 1).padStart(3),
        step.name.padEnd(nameWidth),
        paint('dim', step.type.padEnd(typeWidth)),
        paint(step.mark, step.mark.padEnd(11)),
        `${formatDuration(step.durationMs)}${running}`.padStart(10),
        paint('dim', offset.padStart(10)),
      ].join('  ') + attempts,
    );
    step.retries.forEach((retry, attempt) => {
      lines.push(
        `${' '.repeat(7)}${paint('retried', `↻ attempt ${attempt + 1} failed, retried: ${failureText(retry)}`)}`,
      );
    });
    if (step.failure) {
      const verb = step.outcome === 'caught' ? 'caught' : 'failed';
      lines.push(`${' '.repeat(7)}${paint(step.mark, `✕ ${verb}: ${failureText(step.failure)}`)}`);
    }
  });
  if (trace.steps.length === 0) lines.push(paint('dim', '  (no state entered yet)'));
  lines.push('');
  const end = trace.failure ? `${trace.status}  ${failureText(trace.failure)}` : trace.status;
  lines.push(`${paint(statusCode, end)}${trace.status === 'RUNNING' ? paint('dim', '  (still running)') : ''}`);
  return lines.join('\n');
}
