import { BUNDLE_BINARIES } from '../../bundle/binaries.js';
import { type Host, hostsWithRole, type Inventory, trafficAddress } from '../../inventory/defaults.js';
import { directoryOperation } from '../../operations/directory.js';
import { remoteCheck } from '../../operations/remote-check.js';
import { systemdUnitOperation } from '../../operations/systemd.js';
import type { Operation } from '../../operations/types.js';
import { groupOperation, userOperation } from '../../operations/user.js';
import type { Finding } from '../../rules/finding.js';
import type { WireSecrets } from '../../secrets/generate.js';
import { templateOperation } from '../../templates/load.js';
import { fromAssets } from '../../wire/assets.js';
import { MC, MC_ENV, mcRun, mcSecretValues, minioBuckets, waitForMinio } from './minio-buckets.js';
import { type Implementation, needSecrets, type WireStageOptions } from './types.js';

/**
 * MinIO on the minio hosts, as Wire's minio.yml does it (docs/wire/install-sequences.md#minio-install): the server and mc
 * builds from the bundle, a minio-user, and two instances per host (server1 on :9000, server2 on
 * :9092, docs/wire/health-and-ports.md#ports-and-firewall) that together form one distributed deployment over every host's two drives.
 * The root keys come from secrets.yaml and live only in the 0600 environment files.
 */
export const MINIO = '/usr/local/bin/minio';
export const MINIO_USER = 'minio-user';
export const MINIO_INSTANCES = [
  { instance: 1, port: 9000 },
  { instance: 2, port: 9092 },
] as const;

export const minioHosts = (inventory: Inventory): Host[] => hostsWithRole(inventory, 'minio');
export const dataDir = (instance: number) => `/var/lib/minio-server${instance}`;
export const envFile = (instance: number) => `/etc/default/minio-server${instance}`;
export const unitName = (instance: number) => `minio-server${instance}.service`;
const unitFile = (instance: number) => `/etc/systemd/system/${unitName(instance)}`;

/** Every drive of the deployment: each host's server1 drive, then each host's server2 drive. */
export function minioVolumes(inventory: Inventory): string {
  return MINIO_INSTANCES.flatMap(({ instance, port }) =>
    minioHosts(inventory).map((host) => `http://${trafficAddress(host)}:${port}${dataDir(instance)}`),
  ).join(' ');
}

export function minioEnvValues(
  inventory: Inventory,
  hostName: string,
  instance: number,
  secrets: WireSecrets,
): Record<string, string> {
  const self = minioHosts(inventory).find((host) => host.name === hostName);
  if (!self) throw new Error(`${hostName} is not a minio host`);
  const port = MINIO_INSTANCES.find((entry) => entry.instance === instance)?.port;
  if (!port) throw new Error(`MinIO has no instance ${instance}`);
  return {
    instance: String(instance),
    volumes: minioVolumes(inventory),
    address: trafficAddress(self),
    port: String(port),
    rootUser: secrets.minio.rootUser,
    rootPassword: secrets.minio.rootPassword,
  };
}

export function minioInstall(
  inventory: Inventory,
  hostName: string,
  options: Pick<WireStageOptions, 'bundleRoot'>,
  secrets: WireSecrets,
): Operation[] {
  return [
    fromAssets(inventory, options, BUNDLE_BINARIES.minioServer, MINIO, 0o755),
    fromAssets(inventory, options, BUNDLE_BINARIES.minioClient, MC, 0o755),
    groupOperation({ name: MINIO_USER, system: true }),
    userOperation({
      name: MINIO_USER,
      system: true,
      home: '/var/lib/minio',
      shell: '/usr/sbin/nologin',
      createHome: false,
    }),
    ...MINIO_INSTANCES.flatMap(({ instance, port }) => [
      directoryOperation({ path: dataDir(instance), mode: 0o750, owner: MINIO_USER, group: MINIO_USER }),
      templateOperation('minio/minio-server.env', minioEnvValues(inventory, hostName, instance, secrets), {
        path: envFile(instance),
        mode: 0o600,
        owner: 'root',
        group: 'root',
      }),
      templateOperation(
        'minio/minio-server.service',
        { instance: String(instance), port: String(port) },
        { path: unitFile(instance), mode: 0o644 },
      ),
      systemdUnitOperation({
        unit: unitName(instance),
        enabled: true,
        running: true,
        restartWhenChanged: [envFile(instance), unitFile(instance), MINIO],
      }),
    ]),
  ];
}

/** `mc admin info --json` as the bundle's mc prints it (madmin-go's InfoMessage): docs/wire/deployment-sources.md#minio-and-mc. */
interface AdminInfo {
  info?: {
    servers?: { endpoint?: string; state?: string; drives?: { endpoint?: string; state?: string }[] }[];
  };
}

/** Every server and drive online, asked with `mc admin info --json` on the first host (docs/wire/health-and-ports.md#health-checks). */
export function minioHealth(inventory: Inventory, secrets: WireSecrets): Operation[] {
  const hidden = mcSecretValues(secrets);
  const servers = MINIO_INSTANCES.flatMap(({ port }) =>
    minioHosts(inventory).map((host) => ({ name: host.name, endpoint: `${trafficAddress(host)}:${port}` })),
  );
  return [
    remoteCheck('MinIO drives and servers', async (context): Promise<Finding[]> => {
      await waitForMinio(context, hidden);
      const result = await mcRun(context, 'reading mc admin info', 'admin info --json wire', hidden);
      const info = (JSON.parse(result) as AdminInfo).info ?? {};
      const reported = new Map((info.servers ?? []).map((server) => [server.endpoint ?? '', server]));
      const problems: string[] = [];
      for (const server of servers) {
        const found = reported.get(server.endpoint);
        if (!found) problems.push(`${server.name} ${server.endpoint}: not reported`);
        else if (found.state !== 'online') problems.push(`${server.name} ${server.endpoint}: ${found.state}`);
        for (const drive of found?.drives ?? [])
          if (drive.state !== 'ok') problems.push(`drive ${drive.endpoint}: ${drive.state}`);
      }
      if (problems.length === 0) return [];
      return [
        {
          severity: 'error',
          rule: 'databases.minio-health',
          host: context.host.name,
          message: `MinIO servers or drives not online: ${problems.join('; ')}`,
          measured: (info.servers ?? []).map((s) => `${s.endpoint} ${s.state}`).join(', ') || 'no servers',
          required: `${servers.length} servers online (${servers.map((s) => s.endpoint).join(', ')}), every drive ok`,
          fix: `on the host named: systemctl status minio-server1 minio-server2; journalctl -u minio-server1; then mc admin heal -r with the keys of ${MC_ENV}`,
        },
      ];
    }),
  ];
}

export const MINIO_IMPLEMENTATIONS: Record<string, Implementation> = {
  'databases.minio-install': {
    needsBundle: true,
    needsSecrets: true,
    operations: (inventory, host, options) =>
      minioInstall(inventory, host.name, options, needSecrets(options)),
  },
  'databases.minio-buckets': {
    needsSecrets: true,
    operations: (inventory, host, options) => minioBuckets(inventory, host.name, needSecrets(options)),
  },
  'databases.minio-health': {
    needsSecrets: true,
    operations: (inventory, _host, options) => minioHealth(inventory, needSecrets(options)),
    alwaysRun: true,
  },
};
