/**
 * One end-to-end test's CLI processes (test/e2e/*-cli.test.ts): every command's output is kept so the
 * test can prove no secret reached a terminal or a log line, and the runtime is killed at the end.
 */
import { expect } from 'vitest';
import { inboundEventSchema } from '../../src/bus/event-schema.js';
import type { InboundEvent } from '../../src/bus/types.js';
import { runCli, startCli, type CliResult, type LiveCli } from './cli.js';
import { until } from './tmp.js';

/** A connector's row in `status --json` (the fields the e2e tests read). */
export interface StatusRow {
  state: string;
  reason?: string;
  restarts: number;
  listeners: { publicUrl?: string }[];
  [field: string]: unknown;
}

export class CliSession {
  /** The long-running command (run, sandbox), if one was started. */
  runtime: LiveCli | undefined;
  /** Everything every command printed, stdout and stderr. */
  readonly outputs: string[] = [];

  /** Run a command to completion, keeping its output. */
  async cli(args: string[]): Promise<CliResult> {
    const r = await runCli(args);
    this.outputs.push(r.stdout, r.stderr);
    return r;
  }

  /** Start a long-running command as this session's runtime. */
  start(args: string[]): LiveCli {
    this.runtime = startCli(args);
    return this.runtime;
  }

  /** `run --config <config>`, then wait until `status` exits 0 (every connector healthy). */
  async run(config: string, timeoutMs = 15_000): Promise<LiveCli> {
    const runtime = this.start(['run', '--config', config]);
    await until(async () => (await this.cli(['status', '--config', config])).code === 0, 'the runtime to report healthy', timeoutMs);
    return runtime;
  }

  /** `run --config <config>` for a connector that must fail; returns `status --json` once it shows failed. */
  async runUntilFailed(config: string, timeoutMs = 15_000): Promise<{ code: number | null; row: StatusRow }> {
    const runtime = this.start(['run', '--config', config]);
    await until(async () => (await this.cli(['status', '--config', config])).stdout.includes('failed'), 'failed state', timeoutMs).catch((err: unknown) => {
      throw new Error(`${String(err)}\nruntime stderr: ${runtime.stderr()}`);
    });
    const r = await this.cli(['status', '--config', config, '--json']);
    return { code: r.code, row: (JSON.parse(r.stdout) as { connectors: StatusRow[] }).connectors[0]! };
  }

  /** The first connector's row in `status --json`. */
  async statusRow(config: string): Promise<StatusRow> {
    return (JSON.parse((await this.cli(['status', '--config', config, '--json'])).stdout) as { connectors: StatusRow[] }).connectors[0]!;
  }

  /** Read the next event through `tail --json --limit 1` (asserts it exits 0 and the event parses). */
  async tailOne(config: string): Promise<InboundEvent> {
    const tail = await this.cli(['tail', '--config', config, '--json', '--limit', '1']);
    expect(tail.code).toBe(0);
    return inboundEventSchema.parse(JSON.parse(tail.stdout.trim()));
  }

  /** Stop the runtime gracefully (`signal`) and return its exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string | null> {
    this.runtime!.child.kill(signal);
    return this.runtime!.exited;
  }

  /** Test teardown: kill the runtime if it still runs, keeping its output. */
  async kill(): Promise<void> {
    await this.runtime?.kill();
    if (this.runtime) this.outputs.push(this.runtime.stdout(), this.runtime.stderr());
    this.runtime = undefined;
  }

  /** Assert none of `secrets` appears in any output kept so far. */
  expectNoSecrets(secrets: string[]): void {
    for (const text of this.outputs) for (const secret of secrets) expect(text).not.toContain(secret);
  }
}
