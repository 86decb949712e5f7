import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { installShutdown } from '../../src/supervisor/shutdown.js';

describe('installShutdown', () => {
  it('first signal stops gracefully and exits 0', async () => {
    const proc = new EventEmitter();
    const exits: number[] = [];
    let stopped = false;
    installShutdown(proc, { stop: async () => void (stopped = true), exit: (c) => exits.push(c) });
    proc.emit('SIGTERM', 'SIGTERM');
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(true);
    expect(exits).toEqual([0]);
  });

  it('a second signal during a slow stop exits at once with 130', async () => {
    const proc = new EventEmitter();
    const exits: number[] = [];
    installShutdown(proc, { stop: () => new Promise(() => undefined), exit: (c) => exits.push(c) });
    proc.emit('SIGINT', 'SIGINT');
    proc.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([130]);
  });

  it('a stop that times out exits 1 and reports why', async () => {
    const proc = new EventEmitter();
    const exits: number[] = [];
    const failures: unknown[] = [];
    installShutdown(proc, { stop: async () => { throw new Error('took too long'); }, exit: (c) => exits.push(c), onStopFailed: (e) => failures.push(e) });
    proc.emit('SIGTERM', 'SIGTERM');
    await new Promise((r) => setImmediate(r));
    expect(exits).toEqual([1]);
    expect(String(failures[0])).toContain('took too long');
  });
});
