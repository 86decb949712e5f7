import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { put, tempDirs } from './helpers.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin/switchboard.js');
const newDir = tempDirs();

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('switchboard config check (the real CLI)', () => {
  it('needs the build', () => {
    expect(existsSync(join(root, 'dist/src/cli/main.js')), 'dist/ is missing: run npm run build (npm test does it)').toBe(true);
  });

  it('exits 0 with a summary for a valid file', async () => {
    const dir = await newDir();
    const file = await put(dir, 'sb.yaml', `state_dir: ./state\nconnectors:\n  loop: {platform: loopback, endpoint: "127.0.0.1:7711", token: {env: LOOP_TOKEN}}\n`);
    const result = await run(['config', 'check', file], { LOOP_TOKEN: 'a-loopback-token', HOME: dir });
    expect(result).toEqual({ code: 0, stdout: `${file}: OK — 1 connector: loop (loopback)\n`, stderr: '' });
  });

  it('exits 2 with file:line:col lines on stderr for an invalid file, naming no secret', async () => {
    const dir = await newDir();
    const file = await put(
      dir,
      'sb.yaml',
      `state_dir: ./state\nconnectors:\n  a: {platform: loopback, endpoint: "h:1", token: {env: T}}\n  b: {platform: loopback, endpoint: "h:2", token: {env: T}, tokn: 1}\n`,
    );
    const result = await run(['config', 'check', file], { T: 'the-shared-token', HOME: dir });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      `${file}:4:51: connectors.b.token: connectors a and b use the same secret (connectors.a.token and connectors.b.token); one bot token supports one connection; remove one`,
      `${file}:4:61: connectors.b.tokn: unknown key; did you mean "token"? (allowed: platform, enabled, access, endpoint, token)`,
    ]);
    expect(result.stderr).not.toContain('the-shared-token');
  });

  it('defaults FILE to $SWITCHBOARD_CONFIG and exits 2 when the file is missing', async () => {
    const dir = await newDir();
    const result = await run(['config', 'check'], { SWITCHBOARD_CONFIG: join(dir, 'none.yaml') });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${join(dir, 'none.yaml')}: config file not found`);
  });

  it('has help that names the argument and the exit codes', async () => {
    const result = await run(['config', 'check', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('config check [options] [file]');
    expect(result.stdout).toContain('Exit code 0 when valid, 2 when not');
  });
});
