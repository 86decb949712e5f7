/**
 * The benchmark dispatcher: `npm run bench -- <name> [--n N] [bench-specific flags]`.
 * Each benchmark is a module loaded only when named, so adding one is one line in `BENCHES`.
 */

/** What the dispatcher hands to a benchmark. */
export interface BenchContext {
  /** `--n N` when given. */
  n: number | undefined;
  /** The remaining arguments, for bench-specific flags. */
  argv: string[];
}

/** A benchmark module: prints a table and writes JSON under bench/results/. */
export interface BenchModule {
  run(ctx: BenchContext): Promise<void>;
}

const BENCHES: Record<string, () => Promise<BenchModule>> = {
  bus: () => import('./bus.js'),
  telegram: () => import('./telegram.js'),
  discord: () => import('./discord.js'),
  feishu: () => import('./feishu.js'),
  slack: () => import('./slack.js'),
  listener: () => import('./listener.js'),
};

function usage(): string {
  return `usage: npm run bench -- <name> [--n N]\navailable: ${Object.keys(BENCHES).join(', ')}\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const load = name === undefined ? undefined : BENCHES[name];
  if (!load) {
    process.stderr.write(name === undefined ? usage() : `unknown benchmark "${name}"\n${usage()}`);
    return 2;
  }
  let n: number | undefined;
  const others: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--n') {
      n = Number(rest[++i]);
      if (!Number.isSafeInteger(n) || n <= 0) {
        process.stderr.write('--n needs a positive integer\n');
        return 2;
      }
    } else {
      others.push(rest[i]!);
    }
  }
  await (await load()).run({ n, argv: others });
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
