import type { ConnectedHosts } from '../engine/connect-hosts.js';
import type { RemoteHost } from '../hosts/types.js';
import type { Inventory } from '../inventory/defaults.js';
import { hostsWithRole } from '../inventory/defaults.js';
import { type PostgresState, parseLsn, type Survey } from './plan.js';

/** On a PostgreSQL host: in recovery, and how far its WAL goes (a standby: received or replayed; a primary: written). */
export const POSTGRES_STATE = `runuser -u postgres -- psql -X -At -c "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() THEN coalesce(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) ELSE pg_current_wal_lsn() END"`;

async function postgresState(host: RemoteHost): Promise<PostgresState | undefined> {
  const result = await host.exec(POSTGRES_STATE, { timeoutMs: 20_000 });
  if (result.exitCode !== 0) return undefined;
  const [recovery, lsnText] = result.stdout.trim().split('|');
  const lsn = parseLsn(lsnText ?? '');
  if (lsn === undefined) return undefined;
  return { inRecovery: recovery === 't', lsn };
}

/** What the plan needs from the hosts that answered (src/remove-host/plan.ts): reads only. */
export async function survey(inventory: Inventory, connected: ConnectedHosts): Promise<Survey> {
  const postgres = new Map<string, PostgresState>();
  await Promise.all(
    hostsWithRole(inventory, 'postgresql').map(async (host) => {
      const remote = connected.hosts.get(host.name);
      const state = remote ? await postgresState(remote) : undefined;
      if (state) postgres.set(host.name, state);
    }),
  );
  return { reachable: new Set(connected.hosts.keys()), postgres };
}
