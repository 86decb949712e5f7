/**
 * The agent runner when the platform refuses an answer: retried for a while, saved to a file for good
 * (a notice, acked), and a /stop or interrupt once the agent has ended cutting the retries short so
 * that what comes next runs.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { OutboundCommand } from '../../src/bus/types.js';
import { fake, startRunner, textOf, type RunnerHarness } from './runner-harness.js';

let h: RunnerHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('an answer the platform refuses', () => {
  it('a send that fails 3 times, then goes through: the answer arrives once and the event is acked', async () => {
    let failures = 3;
    h = startRunner({ command: fake('echo', '{text}') }, { fault: (cmd) => (cmd.type !== 'typing' && failures-- > 0 ? 'reject' : undefined) });
    await h.say('patience');
    await h.waitFor('the run to finish', () => h!.runner.stats().finished === 1);
    expect(h.shown().map(textOf)).toEqual(['echo: patience']);
    expect(h.logs.filter((l) => l.msg === 'could not show the agent output in the chat')).toHaveLength(3);
    expect(existsSync(join(h.dir, 'state', 'undelivered'))).toBe(false);
    expect(await h.unacked()).toEqual([]);
  });

  it('a send that always fails: the answer is saved to a 0600 file (not the log), a notice goes out, the event is acked, the next message is served', async () => {
    h = startRunner({ command: fake('echo', '{text}') }, { fault: (cmd) => ('text' in cmd && cmd.text.includes('doomed') ? 'reject' : undefined) });
    const event = await h.say('doomed words');
    await h.waitFor('the notice', () => h!.shown().length > 0);
    expect(h.shown().map(textOf)).toEqual(["The agent's answer could not be delivered in full; it is saved on the switchboard host (see its log)."]);
    const entry = h.logs.find((l) => l.msg === 'the agent answer could not be delivered to the chat; the whole answer is saved in the file') as { level: number; file: string } | undefined;
    expect(entry?.level).toBe(50); // error
    expect(entry?.file).toBe(join(h.dir, 'state', 'undelivered', `${event.id}.txt`));
    expect(readFileSync(entry!.file, 'utf8')).toBe('echo: doomed words\n');
    expect(statSync(entry!.file).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(h.logs)).not.toContain('doomed');
    expect(h.logs.filter((l) => l.msg === 'could not show the agent output in the chat').length).toBeGreaterThan(2); // retried
    await h.say('next one');
    await h.waitFor('the next answer', () => h!.shown().some((c) => textOf(c) === 'echo: next one'));
    await h.waitFor('both runs to finish', () => h!.runner.stats().finished === 2);
    expect(await h.unacked()).toEqual([]);
  });

  it('a graceful stop cuts the retries of a finished run short: its answer is saved and the event acked', async () => {
    h = startRunner({ command: fake('echo', '{text}') }, { fault: (cmd) => ('text' in cmd && cmd.text.includes('doomed') ? 'reject' : undefined), retry: { totalMs: 600_000, backoff: { initialMs: 50, maxMs: 100 } } });
    const event = await h.say('doomed at shutdown');
    await h.waitFor('the agent to exit', () => h!.logs.some((l) => l.msg === 'agent process ended; showing the rest of its output'));
    const unacked = await h.unacked(); // stops the runner (well before the 10-minute budget), then reads the cursor
    expect(unacked).toEqual([]);
    expect(readFileSync(join(h.dir, 'state', 'undelivered', `${event.id}.txt`), 'utf8')).toBe('echo: doomed at shutdown\n');
  });

  // The agent has exited but the platform keeps refusing its answer (a 10-minute retry budget): a
  // /stop or an interrupting message ends the retries, the answer is saved, and what comes next runs.
  const refuseDoomed = { fault: (cmd: OutboundCommand) => ('text' in cmd && cmd.text.includes('doomed') ? ('reject' as const) : undefined), retry: { totalMs: 600_000, backoff: { initialMs: 20, maxMs: 50 } } };
  const retriedTwice = (r: RunnerHarness) => r.logs.filter((l) => l.msg === 'could not show the agent output in the chat').length >= 2;

  it('/stop after the agent exited ends the delivery retries: the answer is saved, /stop is answered, the next message runs', async () => {
    h = startRunner({ command: fake('echo', '{text}') }, refuseDoomed);
    const event = await h.say('doomed answer');
    await h.waitFor('delivery being retried after the agent exited', () => h!.logs.some((l) => l.msg === 'agent process ended; showing the rest of its output') && retriedTwice(h!));
    expect(h.runner.stats()).toMatchObject({ running: 1 });
    await h.say('/stop');
    await h.say('next one');
    await h.waitFor('the next answer', () => h!.shown().some((c) => textOf(c) === 'echo: next one'));
    const texts = h.shown().map(textOf);
    const stopAnswer = texts.findIndex((t) => t.startsWith('Stopped: delivering the agent\'s answer was abandoned'));
    expect(stopAnswer).toBeGreaterThanOrEqual(0);
    expect(texts[stopAnswer]).toContain('saved on the switchboard host');
    expect(stopAnswer).toBeLessThan(texts.indexOf('echo: next one'));
    expect(readFileSync(join(h.dir, 'state', 'undelivered', `${event.id}.txt`), 'utf8')).toBe('echo: doomed answer\n');
    await h.waitFor('both runs to finish', () => h!.runner.stats().finished === 2);
    expect(h.runner.stats()).toMatchObject({ running: 0, queued: 0 });
    expect(await h.unacked()).toEqual([]);
  });

  it('a second /stop, while the answer of a stopped run is retried, ends the retries with one answer', async () => {
    h = startRunner({ command: fake('slow', '{text}', '60000') }, refuseDoomed);
    const event = await h.say('doomed forever');
    await h.waitFor('the output being refused', () => retriedTwice(h!));
    await h.say('/stop');
    await h.waitFor('the agent to end', () => h!.logs.some((l) => l.msg === 'agent process ended; showing the rest of its output'));
    await h.say('/stop');
    await h.waitFor('the stop answer', () => h!.shown().length > 0);
    expect(h.shown().map(textOf)).toEqual(["Stopped: delivering the agent's answer was abandoned; it is saved on the switchboard host (see its log)."]);
    expect(readFileSync(join(h.dir, 'state', 'undelivered', `${event.id}.txt`), 'utf8')).toContain('working on doomed forever');
    await h.waitFor('the run to end', () => h!.runner.stats().running === 0);
    expect(h.runner.stats()).toMatchObject({ failed: 1, lastFailure: { outcome: 'stopped (stop)' } });
    expect(await h.unacked()).toEqual([]);
  });

  it('with queue: interrupt, a new message after the agent exited ends the delivery retries and runs', async () => {
    h = startRunner({ command: fake('echo', '{text}'), queue: 'interrupt' }, refuseDoomed);
    const event = await h.say('doomed answer');
    await h.waitFor('delivery being retried after the agent exited', () => h!.logs.some((l) => l.msg === 'agent process ended; showing the rest of its output') && retriedTwice(h!));
    await h.say('new idea');
    await h.waitFor('the new answer', () => h!.shown().some((c) => textOf(c) === 'echo: new idea'));
    expect(h.shown().map(textOf)).toContain("The agent's answer could not be delivered in full; it is saved on the switchboard host (see its log).");
    expect(readFileSync(join(h.dir, 'state', 'undelivered', `${event.id}.txt`), 'utf8')).toBe('echo: doomed answer\n');
    await h.waitFor('both runs to finish', () => h!.runner.stats().finished === 2);
    expect(await h.unacked()).toEqual([]);
  });

  it('/stop while a run-end notice is retried ends those retries and answers "Stopped."; the next message runs', async () => {
    h = startRunner({ command: fake('crash') }, { fault: (cmd) => ('text' in cmd && cmd.text.startsWith('The agent exited') ? 'reject' : undefined), retry: refuseDoomed.retry });
    await h.say('break please');
    await h.waitFor('the notice being retried', () => h!.logs.some((l) => l.msg === 'agent run did not finish normally'));
    await h.say('/stop');
    await h.waitFor('the stop answer', () => h!.shown().some((c) => textOf(c) === 'Stopped.'));
    await h.say('again');
    await h.waitFor('the second run to end', () => h!.runner.stats().failed === 2);
    expect(await h.unacked()).toEqual([]);
  });

  it('a run-end notice that fails for a while is retried', async () => {
    let failures = 2;
    h = startRunner({ command: fake('crash') }, { fault: (cmd) => (cmd.type !== 'typing' && failures-- > 0 ? 'reject' : undefined) });
    await h.say('break please');
    await h.waitFor('the notice', () => h!.shown().length > 0);
    expect(h.shown().map(textOf)).toEqual(['The agent exited with code 2; details are in the switchboard log.']);
    expect(await h.unacked()).toEqual([]);
  });
});
