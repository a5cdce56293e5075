import { WireInstallError } from '../../../core/errors.js';
import { type Inventory, trafficAddress } from '../../../inventory/defaults.js';
import { aptPackageOperation } from '../../../operations/apt.js';
import { fileOperation } from '../../../operations/file.js';
import {
  clusterPaths,
  postgresClusterOperation,
  postgresVersion,
} from '../../../operations/postgresql-cluster.js';
import { lastLines, runOrFail } from '../../../operations/run.js';
import type { Operation, OperationContext } from '../../../operations/types.js';
import type { WireSecrets } from '../../../secrets/generate.js';
import {
  pgHbaLines,
  postgresConfig,
  postgresHosts,
  REPLICATION_USER,
  WIRE_DATABASE,
} from '../../../wire/postgresql.js';
import { defineStep } from '../../define-step.js';
import { PRODUCTION_ONLY } from '../../types.js';

export const postgresqlStandbysStep = defineStep({
  id: 'databases.postgresql-standbys',
  stage: 'databases',
  title: 'Clone each standby from the primary and let it stream, one at a time',
  modes: PRODUCTION_ONLY,
  target: { kind: 'hosts', roles: ['postgresql'] },
  order: 'after-first-serial',
  why: 'The standbys in [postgresql_ro] stream from the primary through repmgr',
  needs: ['secrets'],
  operations: (inventory, _host, options) => postgresStandby(inventory, options.secrets),
});

/**
 * Cloning replaces the host's data directory. A host that is not a standby but holds Wire's
 * database is a primary (the one promoted by a failover, not yet first in the inventory, or a
 * primary listed in the wrong place): its data must never be erased for a clone. A fresh host
 * (the empty cluster the package made) has no wire-server database and is cloned.
 */
async function refuseToWipeWireData(context: OperationContext, primary: string): Promise<void> {
  const probe = await context.host.exec(
    `runuser -u postgres -- psql -X -At -c "SELECT 1 FROM pg_database WHERE datname = '${WIRE_DATABASE}'"`,
  );
  if (probe.exitCode !== 0) {
    // PostgreSQL does not answer (the package's cluster may not run): clone only over what holds
    // no database of its own: no PG_VERSION (never initialised, or removed), a clone of ours that
    // did not finish (backup_label), or a fresh cluster, whose base/ holds only template0,
    // template1 and postgres.
    const version = await postgresVersion(context);
    // Not installed yet (a plan of a new standby): there is no data to keep.
    if (!version) return;
    const data = clusterPaths(version).data;
    const safe = await context.host.exec(
      `test ! -e ${data}/PG_VERSION || test -e ${data}/backup_label || test "$(ls -1 ${data}/base 2>/dev/null | wc -l)" -le 3`,
    );
    if (safe.exitCode === 0) return;
    throw new WireInstallError({
      what: `${context.host.name}: PostgreSQL does not answer here, so wire-install cannot tell whether ${data} holds Wire's data; it is not cloned over`,
      host: context.host.name,
      evidence: lastLines(`${probe.stdout}\n${probe.stderr}`, 3),
      next: `start PostgreSQL on ${context.host.name} (journalctl -u 'postgresql@*'), or move ${data} away if it holds nothing to keep, then run apply again`,
    });
  }
  if (probe.stdout.trim() === '1')
    throw new WireInstallError({
      what: `${context.host.name}: PostgreSQL here is not a standby and holds the ${WIRE_DATABASE} database; cloning it from ${primary} would erase it`,
      host: context.host.name,
      evidence: ['no standby.signal in the data directory', `database ${WIRE_DATABASE} present`],
      next: `if ${context.host.name} is the primary now (after a failover), list it first among the postgresql hosts of the inventory; wire-install never erases a database to make a standby`,
    });
}

/** A standby: cloned from the primary once (pg_basebackup -R), then streaming. */
function cloneOperation(primary: string): Operation {
  const cloned = async (context: OperationContext) => {
    const version = await postgresVersion(context);
    if (!version) return false;
    return (await context.host.exec(`test -f ${clusterPaths(version).data}/standby.signal`)).exitCode === 0;
  };
  const change = `clone the data from ${primary} (pg_basebackup) and follow it`;
  return {
    kind: 'postgresql-standby',
    target: primary,
    inputs: { primary },
    async check(context) {
      if (await cloned(context)) return { changes: [], notes: [] };
      await refuseToWipeWireData(context, primary);
      return { changes: [change], notes: [] };
    },
    async apply(context) {
      if (await cloned(context)) return { changes: [], notes: [] };
      await refuseToWipeWireData(context, primary);
      const version = await postgresVersion(context);
      if (!version) throw new Error(`${context.host.name}: PostgreSQL is not installed`);
      const { data, unit } = clusterPaths(version);
      // The password comes from ~postgres/.pgpass (written before, mode 0600), not the command line.
      await runOrFail(
        context.host,
        `cloning the standby from ${primary}`,
        [
          `systemctl stop ${unit}`,
          `rm -rf ${data}`,
          `runuser -u postgres -- pg_basebackup -h ${primary} -U ${REPLICATION_USER} -D ${data} -R -X stream -c fast -w`,
          `chmod 700 ${data}`,
        ].join(' && '),
        {
          next: `check that ${primary} accepts replication from this host (pg_hba.conf) and the password in secrets.yaml`,
        },
      );
      return { changes: [change], notes: [] };
    },
  };
}

/** The address primary_conninfo names (pg_basebackup -R wrote it into postgresql.auto.conf). */
async function followedPrimary(context: OperationContext): Promise<string | undefined> {
  const version = await postgresVersion(context);
  if (!version) return undefined;
  const conf = `${clusterPaths(version).data}/postgresql.auto.conf`;
  const result = await context.host.exec(`grep -o "^primary_conninfo = .*" ${conf}`);
  // pg_basebackup quotes a value with characters beyond [A-Za-z0-9_.] (an IPv6 address: host=''fd00::1'').
  // Only address characters are taken: what the file says never reaches a command unchecked.
  return /\bhost=(?:'')?([0-9A-Za-z.:-]+)/.exec(result.stdout)?.[1];
}

const ADDRESS = /^[0-9A-Za-z.:-]+$/;
/** The conninfo value for an address: quoted as pg_basebackup quotes it in postgresql.auto.conf. */
const conninfoValue = (address: string) => (/^[A-Za-z0-9_.]+$/.test(address) ? address : `''${address}''`);

/**
 * A standby follows the inventory's primary: after a failover (remove-host promoted another
 * standby) its primary_conninfo still names the old one. Rewritten in place and reloaded
 * (PostgreSQL 13 and later take a new primary_conninfo on reload); with
 * recovery_target_timeline 'latest' (the default) it follows the new primary's timeline.
 */
function followOperation(primary: string): Operation {
  const change = (old: string) => `follow ${primary} (primary_conninfo named ${old})`;
  return {
    kind: 'postgresql-standby',
    target: `follow ${primary}`,
    inputs: { follow: primary },
    async check(context) {
      const old = await followedPrimary(context);
      return { changes: old && old !== primary ? [change(old)] : [], notes: [] };
    },
    async apply(context) {
      const old = await followedPrimary(context);
      if (!old || old === primary) return { changes: [], notes: [] };
      const version = await postgresVersion(context);
      const conf = `${clusterPaths(version ?? '').data}/postgresql.auto.conf`;
      if (!ADDRESS.test(old) || !ADDRESS.test(primary))
        throw new Error(
          `${context.host.name}: unexpected address in primary_conninfo (${old}) or inventory (${primary})`,
        );
      const pattern = old.replaceAll('.', '\\.');
      await runOrFail(
        context.host,
        `pointing the standby at ${primary}`,
        `sed -i "/^primary_conninfo = /s/host=\\(''\\)\\{0,1\\}${pattern}\\(''\\)\\{0,1\\}\\([ ']\\)/host=${conninfoValue(primary)}\\3/" ${conf} && runuser -u postgres -- psql -X -At -c "SELECT pg_reload_conf()"`,
      );
      if ((await followedPrimary(context)) !== primary)
        throw new Error(`${context.host.name}: primary_conninfo in ${conf} still does not name ${primary}`);
      return { changes: [change(old)], notes: [] };
    },
  };
}

function postgresStandby(inventory: Inventory, secrets: WireSecrets): Operation[] {
  const [primaryHost] = postgresHosts(inventory);
  const primary = primaryHost ? trafficAddress(primaryHost) : '';
  return [
    aptPackageOperation({ name: 'postgresql' }),
    fileOperation({
      path: '/var/lib/postgresql/.pgpass',
      content: `${primary}:5432:replication:${REPLICATION_USER}:${secrets.postgresql.password}\n`,
      mode: 0o600,
      owner: 'postgres',
      group: 'postgres',
    }),
    cloneOperation(primary),
    followOperation(primary),
    postgresClusterOperation({
      config: postgresConfig('a standby of the primary'),
      hba: pgHbaLines(inventory),
    }),
  ];
}
