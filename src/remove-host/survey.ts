import type { ConnectedHosts } from '../engine/connect-hosts.js';
import { shellQuote } from '../hosts/become.js';
import type { RemoteHost } from '../hosts/types.js';
import type { Inventory } from '../inventory/defaults.js';
import { hostsWithRole, trafficAddress } from '../inventory/defaults.js';
import { WIRE_DATABASE } from '../wire/postgresql.js';
import { type PostgresState, parseLsn, type Survey } from './plan.js';

/** On a PostgreSQL host: in recovery, and how far its WAL goes (a standby: received or replayed; a primary: written). */
export const POSTGRES_STATE = `runuser -u postgres -- psql -X -At -c "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() THEN coalesce(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()) ELSE pg_current_wal_lsn() END, (SELECT count(*) FROM pg_database WHERE datname = '${WIRE_DATABASE}')"`;

/**
 * Whether PostgreSQL at `address` serves, asked from another host (pg_isready: exit 0 accepting,
 * 1 rejecting, both mean it runs; 2 no response; 3 no attempt).
 */
export const pgIsReady = (address: string) => `pg_isready -h ${shellQuote(address)} -p 5432 -t 5`;

async function postgresState(host: RemoteHost): Promise<PostgresState | undefined> {
  const result = await host.exec(POSTGRES_STATE, { timeoutMs: 20_000 });
  if (result.exitCode !== 0) return undefined;
  const [recovery, lsnText, wireDatabase] = result.stdout.trim().split('|');
  const lsn = parseLsn(lsnText ?? '');
  if (lsn === undefined) return undefined;
  return { inRecovery: recovery === 't', lsn, hasWireDatabase: wireDatabase === '1' };
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
  // The primary, asked from every standby that answers: a primary whose SSH is gone may still
  // serve (and take brig's and galley's writes); only "no response" from all of them is "down".
  const [primary] = hostsWithRole(inventory, 'postgresql');
  let primaryServes: boolean | undefined;
  if (primary) {
    const answers = await Promise.all(
      hostsWithRole(inventory, 'postgresql')
        .filter((host) => host !== primary)
        .map(async (host) => {
          const remote = connected.hosts.get(host.name);
          return remote
            ? (await remote.exec(pgIsReady(trafficAddress(primary)), { timeoutMs: 20_000 })).exitCode
            : undefined;
        }),
    );
    const asked = answers.filter((code): code is number => code !== undefined);
    primaryServes = asked.length === 0 ? undefined : !asked.every((code) => code === 2);
  }
  return { reachable: new Set(connected.hosts.keys()), postgres, primaryServes };
}
