/** Where the config file is when none is named on the command line. */

/** `$SWITCHBOARD_CONFIG` if set and non-empty, else `./switchboard.yaml` (relative to the working directory). */
export function defaultConfigPath(env: Record<string, string | undefined>): string {
  const named = env.SWITCHBOARD_CONFIG;
  return named !== undefined && named !== '' ? named : './switchboard.yaml';
}
