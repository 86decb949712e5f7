/**
 * Secret references → `Secret`s. `{env: NAME}` reads the environment given to the loader; `{file: PATH}`
 * reads a file that must be readable by its owner only. No message here ever contains a secret value.
 */
import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { Secret, UnresolvedSecret } from './secret.js';
import { renderPath, type Finding, type KeyPath } from './problem.js';
import { expandPath } from './paths.js';

/** Where secret references are resolved from. */
export interface SecretContext {
  env: Record<string, string | undefined>;
  /** Directory of the config file: relative `{file}` paths are relative to it. */
  baseDir: string;
  home: string;
}

/** A resolved secret and the key path it was written at. */
export interface FoundSecret {
  path: KeyPath;
  secret: Secret;
}

type Ref = { env: string } | { file: string };

function isRef(value: unknown): value is Ref {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const key = keys[0];
  return keys.length === 1 && (key === 'env' || key === 'file') && typeof (value as Record<string, unknown>)[key] === 'string';
}

/** Copy `data` with each secret reference replaced by what `replace` makes of it (at its key path). */
async function mapRefs(value: unknown, path: KeyPath, replace: (ref: Ref, path: KeyPath) => unknown): Promise<unknown> {
  if (isRef(value)) return replace(value, path);
  if (Array.isArray(value)) return Promise.all(value.map((v, i) => mapRefs(v, [...path, i], replace)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await mapRefs(v, [...path, k], replace);
    return out;
  }
  return value;
}

/** `data` with every secret reference replaced by an {@link UnresolvedSecret} (nothing is read). */
export function placeholderSecrets(data: unknown): Promise<unknown> {
  return mapRefs(data, [], (ref) => new UnresolvedSecret('env' in ref ? `env:${ref.env}` : `file:${ref.file}`));
}

/**
 * Copy `data` with every `{env}`/`{file}` reference replaced by a `Secret`. A reference that cannot be
 * resolved stays as it is and yields a finding; references under a path `skip` accepts are left alone.
 */
export async function resolveSecrets(
  data: unknown,
  ctx: SecretContext,
  skip: (path: KeyPath) => boolean = () => false,
): Promise<{ data: unknown; found: FoundSecret[]; findings: Finding[] }> {
  const found: FoundSecret[] = [];
  const findings: Finding[] = [];
  const resolved = await mapRefs(data, [], async (ref, path) => {
    if (skip(path)) return ref;
    const result = 'env' in ref ? fromEnv(ref.env, ctx) : await fromFile(ref.file, ctx);
    if (typeof result === 'string') {
      findings.push({ path, at: 'value', text: result });
      return ref;
    }
    found.push({ path, secret: result });
    return result;
  });
  return { data: resolved, found, findings };
}

function fromEnv(name: string, ctx: SecretContext): Secret | string {
  const value = ctx.env[name];
  if (value === undefined) return `environment variable ${name} is not set; export ${name} (holding the secret) before running switchboard`;
  if (value === '') return `environment variable ${name} is empty; export ${name} with the secret as its value`;
  return new Secret(value, `env:${name}`);
}

async function fromFile(written: string, ctx: SecretContext): Promise<Secret | string> {
  const file = expandPath(written, ctx.baseDir, ctx.home);
  try {
    // stat first: opening a FIFO or device could block or read something that is not a secret.
    if (!(await stat(file)).isFile()) return `secret file ${file} is not a regular file; point {file} at a file holding only the secret`;
    const handle = await open(file, 'r');
    try {
      const { mode } = await handle.stat();
      if ((mode & 0o077) !== 0) {
        const octal = (mode & 0o777).toString(8);
        return `secret file ${file} is accessible by group/others (mode ${octal}), refused; run: chmod 600 ${file}`;
      }
      const value = (await handle.readFile('utf8')).replace(/[\r\n]+$/, '');
      if (value === '') return `secret file ${file} is empty; write the secret into it`;
      return new Secret(value, `file:${file}`);
    } finally {
      await handle.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      // A long bare name with no directory part may be the secret written where its path belongs: not echoed.
      if (!/[/\\]/.test(written) && written.length >= 20) return 'secret file does not exist (the value of {file} is not shown: it has no directory part and may be the secret itself); write {file: /path/to/the/file}';
      return `secret file ${file} does not exist; create it (chmod 600) or fix the path`;
    }
    if (code === 'EACCES') return `secret file ${file} cannot be read (permission denied); make it readable by the user running switchboard`;
    return `secret file ${file} cannot be read (${code ?? 'error'})`;
  }
}

/**
 * Connectors that share a secret value (two pollers on one bot token lose events): one finding per
 * repeat, naming both places and never the value. `considered` says which key paths take part.
 */
export function duplicateSecrets(found: readonly FoundSecret[], considered: (path: KeyPath) => boolean): Finding[] {
  const firstByDigest = new Map<string, FoundSecret>();
  const findings: Finding[] = [];
  for (const entry of found) {
    if (entry.path[0] !== 'connectors' || !considered(entry.path)) continue;
    // Compared by digest, so no secret is ever compared (or kept) as a plain string key.
    const digest = createHash('sha256').update(entry.secret.reveal()).digest('hex');
    const first = firstByDigest.get(digest);
    if (!first) {
      firstByDigest.set(digest, entry);
    } else if (first.path[1] !== entry.path[1]) {
      findings.push({
        path: entry.path,
        at: 'value',
        text: `connectors ${String(first.path[1])} and ${String(entry.path[1])} use the same secret (${renderPath(first.path)} and ${renderPath(entry.path)}); one bot token supports one connection; remove one`,
      });
    }
  }
  return findings;
}
