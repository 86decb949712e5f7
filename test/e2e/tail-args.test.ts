/** `tail` refuses arguments it could not use (it would otherwise wait forever), naming the form it takes. */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('switchboard tail arguments', () => {
  it.each([
    [['--from', 'junk'], /--from <id>.*not an event id: give one as tail --json prints it/],
    [['--from', '1'], /not an event id/],
    [['--limit', 'abc'], /--limit <n>.*give a positive whole number/],
    [['--limit', '0'], /give a positive whole number/],
  ])('tail %j exits 2 at once', async (args, message) => {
    const r = await runCli(['tail', ...args], { timeoutMs: 10_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
