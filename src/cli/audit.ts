/**
 * `switchboard audit [--config FILE] [--json]`: what each connector exposes and who may reach the agent
 * through it, with warnings. Needs no running runtime. Exit 0 no warnings, 1 warnings, 2 invalid config.
 */
import { Command } from 'commander';
import { loadConnectorSchemas } from '../config/connector-schemas.js';
import { buildAudit, type AuditReport, type ConnectorAudit } from '../security/audit.js';
import { EXIT, configOption, loadConfigOrReport, reportError } from './common.js';
import { table } from './format.js';

export function auditCommand(): Command {
  return new Command('audit')
    .summary('exposure and effective-access report, with warnings (exit 0 none, 1 warnings, 2 invalid config)')
    .description(
      'Report, from the config and the pairings in state_dir, what each connector exposes (transport, ' +
        'listeners with bind address, exposure and public URL, how inbound traffic is verified) and who may ' +
        'reach the agent through it (DM mode, allowed groups, owners, allowed users, pending and approved ' +
        'pairings). Warns about dm: open, groups "*", no owners, rate_limit 0, a listener bound beyond ' +
        'loopback, and what each platform flags. Exit code 0 without warnings, 1 with warnings, 2 when the ' +
        'config is invalid.',
    )
    .addOption(configOption())
    .option('--json', 'print the report as JSON')
    .action(async (opts: { config?: string; json?: boolean }) => {
      const config = await loadConfigOrReport(opts.config);
      if (!config) return;
      let report: AuditReport;
      try {
        report = buildAudit(config, await loadConnectorSchemas());
      } catch (err) {
        reportError(err, config.secretValues);
        return;
      }
      process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + '\n' : renderAudit(report));
      process.exitCode = report.warnings.length > 0 ? EXIT.degraded : EXIT.ok;
    });
}

function listeners(c: ConnectorAudit): string {
  if (c.listeners.length === 0) return 'none';
  return c.listeners.map((l) => `${l.bind} (${l.exposure}${l.publicUrl ? ` via ${l.publicUrl}` : ''})`).join(', ');
}

function groups(c: ConnectorAudit): string {
  if (c.access.groups.length === 0) return 'none';
  return c.access.groups.includes('*') ? 'ALL' : c.access.groups.join(', ');
}

/** The audit as a person reads it: an exposure table, an access table, then the warnings. */
export function renderAudit(report: AuditReport): string {
  const exposure = table(
    ['CONNECTOR', 'PLATFORM', 'TRANSPORT', 'LISTENERS', 'VERIFIED BY'],
    report.connectors.map((c) => [c.enabled ? c.name : `${c.name} (disabled)`, c.platform, c.transport, listeners(c), c.verification]),
  );
  const access = table(
    ['CONNECTOR', 'DMS', 'GROUPS', 'OWNERS', 'ALLOWED', 'PAIRED', 'PENDING', 'RATE/MIN'],
    report.connectors.map((c) => [
      c.name, c.access.dm, groups(c), String(c.access.owners), String(c.access.allowed),
      String(c.access.approvedPairings), String(c.access.pendingPairings), c.access.rateLimit === 0 ? 'unlimited' : String(c.access.rateLimit),
    ]),
  );
  const warnings = report.warnings.length === 0 ? 'No warnings.\n' : `${report.warnings.length} warning${report.warnings.length === 1 ? '' : 's'}:\n${report.warnings.map((w) => `  ! ${w}\n`).join('')}`;
  return `Audit of ${report.configFile}\n\nExposure\n${exposure}\nWho may reach the agent\n${access}\n${warnings}`;
}
