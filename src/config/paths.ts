/** Paths written in the config: `~` is the home directory, relative paths are relative to the config file. */
import { isAbsolute, join, resolve } from 'node:path';

/** The absolute path `written` names, with `~`/`~/...` expanded and relative paths taken from `baseDir`. */
export function expandPath(written: string, baseDir: string, home: string): string {
  if (written === '~') return home;
  if (written.startsWith('~/')) return join(home, written.slice(2));
  return isAbsolute(written) ? resolve(written) : resolve(baseDir, written);
}
