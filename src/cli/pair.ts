/**
 * `switchboard pair list | approve CODE | revoke [--connector NAME] USER`: manage who paired with the
 * agent. Works on `<state_dir>/access.db` directly, whether or not the runtime runs; a running runtime
 * sees a change on the next message. Exit 0 done, 1 nothing to do (unknown/expired code, user not
 * paired), 2 invalid config or usage.
 */
import { Command } from 'commander';
import { systemClock } from '../clock.js';
import type { LoadedConfig } from '../config/schema.js';
import { openAccessStore, openExistingAccessStore, type AccessStore } from '../security/access-store.js';
import type { ApprovedPairing, PendingPairing } from '../security/pairing.js';
import { EXIT, configOption, loadConfigOrReport, reportError } from './common.js';
import { ago, table } from './format.js';

/**
 * Open access.db of the config's state dir for one command and set the exit code `work` returns;
 * errors are reported (exit 2). With `create` false a missing database is not created: `work` gets none.
 */
async function withStore<S extends AccessStore | undefined = AccessStore>(
  file: string | undefined,
  work: (store: S, config: LoadedConfig) => number,
  create = true,
): Promise<void> {
  const config = await loadConfigOrReport(file);
  if (!config) return;
  let store: AccessStore | undefined;
  try {
    store = create ? openAccessStore(config.stateDir, systemClock) : openExistingAccessStore(config.stateDir, systemClock);
    process.exitCode = work(store as S, config);
  } catch (err) {
    reportError(err, config.secretValues);
  } finally {
    store?.close();
  }
}

const who = (p: { userId: string; userName?: string }) => (p.userName ? `${p.userName} (${p.userId})` : p.userId);

function listCommand(): Command {
  return new Command('list')
    .description('show pending pairing codes (with who asked, where, and when they expire) and approved pairings')
    .addOption(configOption())
    .option('--json', 'print {pending, approved} as JSON')
    .action(async (opts: { config?: string; json?: boolean }) =>
      // Listing does not create the database: nothing was ever paired if it is not there.
      withStore<AccessStore | undefined>(opts.config, (store) => {
        const pending = store?.pairing.pending() ?? [];
        const approved = store?.pairing.approved() ?? [];
        process.stdout.write(opts.json ? JSON.stringify({ pending, approved }, null, 2) + '\n' : renderPairings(pending, approved));
        return EXIT.ok;
      }, false),
    );
}

function renderPairings(pending: PendingPairing[], approved: ApprovedPairing[], now = Date.now()): string {
  return (
    (pending.length
      ? `Pending (approve with: switchboard pair approve CODE)\n${table(['CODE', 'CONNECTOR', 'USER', 'CONVERSATION', 'ASKED', 'EXPIRES'], pending.map((p) => [p.code, p.connector, who(p), p.conversation, ago(p.createdAt, now), p.expiresAt]))}`
      : 'No pending pairing codes.\n') +
    '\n' +
    (approved.length
      ? `Approved (remove with: switchboard pair revoke [--connector NAME] USER)\n${table(['CONNECTOR', 'USER', 'APPROVED'], approved.map((a) => [a.connector, who(a), a.approvedAt]))}`
      : 'No approved pairings.\n')
  );
}

function approveCommand(): Command {
  return new Command('approve')
    .description('approve the sender who was given CODE: from their next message on, they reach the agent (as "paired")')
    .argument('<code>', 'the code the sender was given (case and dashes ignored)')
    .addOption(configOption())
    .action(async (code: string, opts: { config?: string }) =>
      withStore(opts.config, (store) => {
        const result = store.pairing.approve(code);
        if (result.status === 'approved') {
          process.stdout.write(`approved ${who(result.pairing)} on connector ${result.pairing.connector}\n`);
          return EXIT.ok;
        }
        if (result.status === 'expired') {
          process.stderr.write(`switchboard: code ${result.pairing.code} expired at ${result.pairing.expiresAt}; ask ${who(result.pairing)} to message the bot again for a new one\n`);
        } else {
          process.stderr.write(`switchboard: no pending pairing code "${code}"; \`switchboard pair list\` shows the pending ones\n`);
        }
        return EXIT.degraded;
      }),
    );
}

function revokeCommand(): Command {
  return new Command('revoke')
    .description('remove the pairing of USER (a platform user id, as `pair list` shows), on every connector or one; their messages stop reaching the agent at once')
    .argument('<user>', 'platform user id')
    .option('--connector <name>', 'only on this connector')
    .addOption(configOption())
    .action(async (user: string, opts: { config?: string; connector?: string }) =>
      withStore(opts.config, (store, config) => {
        if (opts.connector !== undefined && !(opts.connector in config.connectors)) {
          process.stderr.write(`switchboard: no connector named "${opts.connector}" in ${config.file} (connectors: ${Object.keys(config.connectors).join(', ') || 'none'})\n`);
          return EXIT.invalid;
        }
        const removed = store.pairing.revoke(user, opts.connector);
        for (const r of removed) process.stdout.write(`revoked ${who(r)} on connector ${r.connector}\n`);
        const listed = Object.entries(config.connectors)
          .filter(([name, block]) => (opts.connector === undefined || name === opts.connector) && listedIn(block.access, user))
          .map(([name]) => name);
        if (listed.length) process.stderr.write(`note: ${user} is also listed in access.owners or access.allowed of ${listed.join(', ')} in ${config.file}; remove them there too\n`);
        if (removed.length === 0) {
          process.stderr.write(`switchboard: ${user} is not paired${opts.connector ? ` on ${opts.connector}` : ''}; \`switchboard pair list\` shows who is\n`);
          return EXIT.degraded;
        }
        return EXIT.ok;
      }),
    );
}

function listedIn(access: unknown, user: string): boolean {
  const a = access as { owners?: string[]; allowed?: string[] } | undefined;
  return Boolean(a?.owners?.includes(user) || a?.allowed?.includes(user));
}

/** The `pair` command and its subcommands. */
export function pairCommand(): Command {
  const pair = new Command('pair')
    .summary('pairing: list | approve CODE | revoke [--connector NAME] USER')
    .description(
      'Manage pairings. Under access.dm: pairing, a stranger who messages the bot gets a one-time code ' +
        '(valid 1 hour; at most 3 pending per connector) and nothing of theirs reaches the agent until an ' +
        'owner approves the code here. Works whether or not switchboard runs. Exit codes: 0 done, 1 nothing ' +
        'to do (unknown or expired code, user not paired), 2 invalid config or usage.',
    )
    .exitOverride()
    .showHelpAfterError();
  for (const c of [listCommand(), approveCommand(), revokeCommand()]) pair.addCommand(c.exitOverride());
  return pair;
}
