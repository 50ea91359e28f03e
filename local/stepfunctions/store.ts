import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionStatus as SdkExecutionStatus } from '@aws-sdk/client-sfn';

/**
 * The statuses a local execution takes: the SDK's, but PENDING_REDRIVE, which AWS shows for a moment after a
 * redrive and for a Map Run's children; a local redrive goes straight to RUNNING.
 */
export type ExecutionStatus = Exclude<SdkExecutionStatus, 'PENDING_REDRIVE'>;

/** One entry of GetExecutionHistory, as AWS returns it (dates kept as epoch milliseconds until sent). */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  machineName: string;
  name: string;
  status: ExecutionStatus;
  startDate: number;
  stopDate?: number;
  /** The input as the caller sent it: a JSON text. */
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  history: HistoryEvent[];
  /** How often it was redriven, and when last (absent until the first redrive). */
  redriveCount?: number;
  redriveDate?: number;
  /** The client tokens of its recent redrives, which make a repeated RedriveExecution harmless. */
  redriveTokens?: { token: string; date: number }[];
  /** Where its current run started, when not at StartAt (a redrive): a restart resumes it there. */
  runFrom?: { state: string; input: string };
}

/**
 * Executions and their history, in memory and (when given a directory) on disk: one JSON file per
 * execution, rewritten atomically (temporary file, then rename) after each change, so a stop at any
 * moment leaves either the previous or the next complete version.
 */
export class ExecutionStore {
  private readonly records = new Map<string, ExecutionRecord>();
  private readonly writes = new Map<string, { running: Promise<void>; again: boolean }>();

  constructor(private readonly dir?: string) {
    if (dir === undefined) return;
    mkdirSync(dir, { recursive: true });
    for (const machineDir of readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
      const files = readdirSync(join(dir, machineDir.name)).filter((name) => name.endsWith('.json'));
      for (const file of files) {
        const record = JSON.parse(readFileSync(join(dir, machineDir.name, file), 'utf8')) as ExecutionRecord;
        this.records.set(record.executionArn, record);
      }
    }
  }

  /** Removes everything a previous run kept (`--fresh`). */
  static wipe(dir: string): void {
    rmSync(dir, { recursive: true, force: true });
  }

  get(executionArn: string): ExecutionRecord | undefined {
    return this.records.get(executionArn);
  }

  all(): ExecutionRecord[] {
    return [...this.records.values()];
  }

  add(record: ExecutionRecord): void {
    this.records.set(record.executionArn, record);
    this.save(record);
  }

  /** Persists the record's current state; calls made while a write is in flight coalesce into one more. */
  save(record: ExecutionRecord): void {
    if (this.dir === undefined) return;
    const pending = this.writes.get(record.executionArn);
    if (pending) {
      pending.again = true;
      return;
    }
    const entry = { running: Promise.resolve(), again: false };
    entry.running = (async () => {
      do {
        entry.again = false;
        await this.write(record);
      } while (entry.again);
      this.writes.delete(record.executionArn);
    })();
    this.writes.set(record.executionArn, entry);
  }

  /** Waits for every pending write. */
  async flush(): Promise<void> {
    while (this.writes.size > 0) await Promise.all([...this.writes.values()].map((entry) => entry.running));
  }

  private async write(record: ExecutionRecord): Promise<void> {
    const machineDir = join(this.dir!, encodeURIComponent(record.machineName));
    await mkdir(machineDir, { recursive: true });
    const file = join(machineDir, `${encodeURIComponent(record.name)}.json`);
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(record));
    await rename(temporary, file);
  }
}
