import type { Finding } from '../../../core/finding.js';
import { type Inventory, trafficAddress } from '../../../inventory/defaults.js';
import { remoteCheck } from '../../../operations/remote-check.js';
import { runOrFail } from '../../../operations/run.js';
import type { Operation } from '../../../operations/types.js';
import { postgresHosts, REPLICATION_QUERY, replicationLine } from '../../../wire/postgresql.js';
import { defineStep } from '../../define-step.js';
import { PRODUCTION_ONLY } from '../../types.js';

export const postgresqlHealthStep = defineStep({
  id: 'databases.postgresql-health',
  stage: 'databases',
  title: 'Check PostgreSQL: every standby streaming from the primary',
  modes: PRODUCTION_ONLY,
  target: { kind: 'hosts', roles: ['postgresql'] },
  order: 'first-host-only',
  why: 'pg_stat_replication on the primary lists each standby as streaming',
  alwaysRun: true,
  operations: (inventory) => postgresHealth(inventory),
});

/**
 * How long apply waits for standbys to (re)connect: after the primary restarts (its configuration
 * changed), a standby retries every wal_retrieve_retry_interval (5 s by default). A plan does not wait.
 */
export const REPLICATION_WAIT_MS = 30_000;

/** On the primary: every standby streaming (pg_stat_replication, docs/wire/health-and-ports.md#health-checks). */
function postgresHealth(inventory: Inventory): Operation[] {
  const standbys = postgresHosts(inventory)
    .slice(1)
    .map((host) => ({ name: host.name, ip: trafficAddress(host) }));
  return [
    remoteCheck('PostgreSQL replication', async (context, mode) => {
      const deadline = Date.now() + (mode === 'apply' ? REPLICATION_WAIT_MS : 0);
      let result = await runOrFail(context.host, 'reading pg_stat_replication', REPLICATION_QUERY);
      const notStreaming = () => {
        const streaming = new Set(
          result.stdout
            .split('\n')
            .filter((line) => line.endsWith(' streaming'))
            .map((line) => line.split(' ')[0]),
        );
        return standbys.filter((standby) => !streaming.has(standby.ip));
      };
      while (notStreaming().length > 0 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        result = await runOrFail(context.host, 'reading pg_stat_replication', REPLICATION_QUERY);
      }
      let missing = notStreaming();
      if (missing.length === 0) return [];
      const findings: Finding[] = [];
      if (mode === 'check') {
        // A standby added to the inventory is not in the primary's pg_hba.conf until this run's
        // databases.postgresql-primary puts it there: in a plan it cannot stream yet, and is not broken.
        const hba = (
          await runOrFail(
            context.host,
            "reading the primary's pg_hba.conf",
            'cat /etc/postgresql/*/main/pg_hba.conf',
          )
        ).stdout;
        const known = (standby: { ip: string }) => hba.includes(replicationLine(standby.ip));
        const added = missing.filter((standby) => !known(standby));
        missing = missing.filter(known);
        if (added.length > 0)
          findings.push({
            severity: 'warning',
            rule: 'databases.postgresql-replication',
            host: context.host.name,
            message: `standbys not in the primary's pg_hba.conf yet, so not streaming: ${added.map((s) => `${s.name} (${s.ip})`).join(', ')}`,
            fix: 'none: apply adds their replication lines, clones them and checks them',
          });
        if (missing.length === 0) return findings;
      }
      return [
        ...findings,
        {
          severity: 'error',
          rule: 'databases.postgresql-replication',
          host: context.host.name,
          message: `standbys not streaming from the primary: ${missing.map((s) => `${s.name} (${s.ip})`).join(', ')}${mode === 'apply' ? ` (after waiting ${REPLICATION_WAIT_MS / 1000} s)` : ''}`,
          measured: result.stdout.trim().replace(/\n/g, '; ') || 'no replication connections',
          required: standbys.map((s) => `${s.ip} streaming`).join(', '),
          fix: 'on the standby: journalctl -u postgresql@*-main; check pg_hba.conf on the primary and the replication password',
        },
      ];
    }),
  ];
}
