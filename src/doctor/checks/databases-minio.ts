import { trafficAddress } from '../../inventory/defaults.js';
import {
  ALIAS,
  BUCKETS,
  MC_ENV,
  MINIO_INSTANCES,
  mcRun,
  mcSecretValues,
  unitName,
} from '../../wire/minio.js';
import { fail, pass } from '../results.js';
import type { DoctorCheck, DoctorContext, DoctorResult } from '../types.js';
import {
  commandFailed,
  type DatabaseHost,
  databaseHosts,
  databaseSkipReason,
  operationContext,
} from './database-hosts.js';

/**
 * databases.minio: both MinIO instances (server1 :9000, server2 :9092, docs/wire/health-and-ports.md#ports-and-firewall) running and
 * online on every minio host, and Wire's buckets there (docs/wire/health-and-ports.md#health-checks `mc admin info`; a missing
 * bucket is why assets do not upload, docs/wire/known-problems.md#assets-do-not-upload-or-display). mc runs on the first minio host with the
 * keys of its 0600 environment file, as databases.minio-health does: no key on a command line.
 */
const ID = 'databases.minio';

interface AdminInfo {
  info?: { servers?: { endpoint?: string; state?: string }[] };
}

/** Each instance's unit state and, when mc answered, its server state. */
export function minioHostResult(
  name: string,
  address: string,
  units: string[],
  servers: ReadonlyMap<string, string> | undefined,
): DoctorResult {
  const problems: string[] = [];
  const evidence = MINIO_INSTANCES.map(({ instance, port }, index) => {
    const unit = units[index] ?? 'unknown';
    const state = servers?.get(`${address}:${port}`) ?? (servers ? 'not reported' : 'not read');
    if (unit !== 'active') problems.push(`${unitName(instance)} is ${unit}`);
    else if (servers && state !== 'online') problems.push(`${address}:${port} is ${state} in mc admin info`);
    return `${unitName(instance)}: ${unit}; ${address}:${port} in mc admin info: ${state}`;
  });
  if (problems.length === 0) return pass(ID, `both MinIO instances run on ${name}`, { host: name, evidence });
  return fail(
    ID,
    `MinIO on ${name}: ${problems.join('; ')}`,
    `on ${name}: systemctl start minio-server1 minio-server2; journalctl -u minio-server1 -n 50; then mc admin heal -r`,
    { host: name, evidence },
  );
}

export function bucketsResult(asked: string, listed: string[]): DoctorResult {
  const missing = BUCKETS.filter((bucket) => !listed.includes(bucket));
  const evidence = [`mc ls ${ALIAS} on ${asked}: ${listed.join(', ') || 'no bucket'}`];
  if (missing.length === 0) return pass(ID, `Wire's buckets exist (${BUCKETS.join(', ')})`, { evidence });
  return fail(
    ID,
    `buckets missing: ${missing.join(', ')}`,
    'wire-install apply --only databases.minio-buckets (cargohold stores assets in them)',
    { evidence },
  );
}

async function askFirst(
  context: DoctorContext,
  first: DatabaseHost,
): Promise<{ servers: Map<string, string>; buckets: string[] }> {
  const op = operationContext(context, first.remote);
  const hidden = context.secrets ? mcSecretValues(context.secrets) : [];
  const info = JSON.parse(
    await mcRun(op, 'reading mc admin info', `admin info --json ${ALIAS}`, hidden),
  ) as AdminInfo;
  const servers = new Map((info.info?.servers ?? []).map((s) => [s.endpoint ?? '', s.state ?? 'unknown']));
  const listing = await mcRun(op, 'listing the buckets', `ls --json ${ALIAS}`, hidden);
  const buckets = listing
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => String((JSON.parse(line) as { key?: string }).key ?? '').replace(/\/$/, ''));
  return { servers, buckets };
}

export const databasesMinio: DoctorCheck = {
  id: ID,
  group: 'databases',
  title: 'both MinIO instances online on every minio host, and the buckets',
  needsHosts: true,
  skipReason: (context) => databaseSkipReason(context, 'minio', 'databases.minio-install'),
  async run(context) {
    const { connected, results } = databaseHosts(context, ID, 'minio');
    const [first] = connected;
    let asked: Awaited<ReturnType<typeof askFirst>> | undefined;
    if (first)
      try {
        asked = await askFirst(context, first);
      } catch (error) {
        results.push(
          commandFailed(
            ID,
            first.host.name,
            error,
            `on ${first.host.name}: systemctl status minio-server1 minio-server2; ${MC_ENV} is written by databases.minio-buckets`,
          ),
        );
      }
    const hostResults: DoctorResult[] = [];
    for (const { host, remote } of connected) {
      const units = await remote.exec(
        `systemctl is-active ${MINIO_INSTANCES.map(({ instance }) => unitName(instance)).join(' ')}`,
        { signal: context.signal },
      );
      hostResults.push(
        minioHostResult(host.name, trafficAddress(host), units.stdout.trim().split('\n'), asked?.servers),
      );
    }
    if (asked && first) hostResults.push(bucketsResult(first.host.name, asked.buckets));
    return [...hostResults, ...results];
  },
};
