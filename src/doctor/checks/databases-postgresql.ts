import type { RemoteHost } from '../../hosts/types.js';
import { trafficAddress } from '../../inventory/defaults.js';
import { REPLICATION_QUERY } from '../../wire/postgresql.js';
import { fail, pass, skip } from '../results.js';
import type { DoctorCheck, DoctorContext, DoctorResult } from '../types.js';
import { commandFailed, databaseHosts, databaseSkipReason, runOn } from './database-hosts.js';

/**
 * databases.postgresql: the first postgresql host is the primary (not in recovery), and each
 * other host streams from it (docs/wire/health-and-ports.md#health-checks: `SELECT ... FROM pg_stat_replication` on the primary,
 * as databases.postgresql-health reads it). A standby that does not stream is named, with what
 * the primary lists and what the standby itself answers.
 */
const ID = 'databases.postgresql';
const IN_RECOVERY = `runuser -u postgres -- psql -X -At -c "SELECT pg_is_in_recovery()"`;
const UNIT_HINT = 'systemctl status postgresql@*-main; journalctl -u postgresql@*-main -n 50';

/** What a host answers to pg_is_in_recovery(): "t", "f", or the error psql printed. */
async function recovery(context: DoctorContext, remote: RemoteHost): Promise<string> {
  const result = await remote.exec(IN_RECOVERY, { signal: context.signal, timeoutMs: 30_000 });
  if (result.exitCode === 0) return result.stdout.trim();
  return `psql failed: ${`${result.stderr}\n${result.stdout}`.trim().split('\n')[0] ?? ''}`;
}

export function standbyResult(
  name: string,
  address: string,
  replication: string[],
  ownAnswer: string | undefined,
): DoctorResult {
  const line = replication.find((entry) => entry.split(' ')[0] === address);
  const evidence = [
    `pg_stat_replication on the primary: ${replication.join('; ') || 'no standby connected'}`,
    ...(ownAnswer !== undefined ? [`pg_is_in_recovery() on ${name}: ${ownAnswer}`] : []),
  ];
  if (line?.endsWith(' streaming'))
    return pass(ID, `${name} streams from the primary`, { host: name, evidence });
  return fail(
    ID,
    line
      ? `${name} is connected to the primary but ${line.split(' ')[1]}, not streaming`
      : `${name} does not stream from the primary`,
    `on ${name}: ${UNIT_HINT}; then check pg_hba.conf on the primary and the replication password (wire-install apply --only databases.postgresql-standbys)`,
    { host: name, evidence },
  );
}

export const databasesPostgresql: DoctorCheck = {
  id: ID,
  group: 'databases',
  title: 'the PostgreSQL primary with one streaming standby per other postgresql host',
  needsHosts: true,
  skipReason: (context) => databaseSkipReason(context, 'postgresql', 'databases.postgresql-primary'),
  async run(context) {
    const { connected, results } = databaseHosts(context, ID, 'postgresql');
    const [primaryHost, ...standbyHosts] = context.inventory.hosts.filter((h) =>
      h.roles.includes('postgresql'),
    );
    const primary = connected.find((c) => c.host.name === primaryHost?.name);
    const standbys = connected.filter((c) => c.host.name !== primaryHost?.name);
    if (!primary || !primaryHost)
      return [
        ...results,
        ...standbys.map((s) =>
          skip(ID, `${s.host.name} not checked: the primary ${primaryHost?.name} is not reachable`, {
            host: s.host.name,
          }),
        ),
      ];
    let replication: string[];
    try {
      const state = await runOn(context, primary.remote, 'psql', IN_RECOVERY);
      replication = (await runOn(context, primary.remote, 'reading pg_stat_replication', REPLICATION_QUERY))
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      const streaming = replication.filter((line) => line.endsWith(' streaming')).length;
      results.unshift(
        state.trim() === 'f'
          ? pass(ID, `${primaryHost.name} is the primary with ${streaming} streaming standby(s)`, {
              host: primaryHost.name,
              evidence: [`pg_is_in_recovery(): f`, `standbys expected: ${standbyHosts.length}`],
            })
          : fail(
              ID,
              `${primaryHost.name}, the first postgresql host, is in recovery: it is a standby, not the primary`,
              'the first postgresql host of the inventory must be the primary: promote it or reorder the inventory',
              { host: primaryHost.name, evidence: [`pg_is_in_recovery(): ${state.trim()}`] },
            ),
      );
    } catch (error) {
      return [
        commandFailed(ID, primaryHost.name, error, `on ${primaryHost.name}: ${UNIT_HINT}`),
        ...results,
        ...standbys.map((s) =>
          skip(ID, `${s.host.name} not checked: the primary does not answer`, { host: s.host.name }),
        ),
      ];
    }
    // Every standby, also one SSH does not reach: the primary's pg_stat_replication says whether
    // it streams (a skip would hide a standby that is down); only its own answer is then missing.
    const judged: DoctorResult[] = [];
    for (const standby of standbyHosts) {
      const remote = context.hosts.get(standby.name);
      judged.push(
        standbyResult(
          standby.name,
          trafficAddress(standby),
          replication,
          remote ? await recovery(context, remote) : undefined,
        ),
      );
    }
    const names = new Set(standbyHosts.map((host) => host.name));
    return [...results.filter((result) => !names.has(result.host ?? '')), ...judged];
  },
};
