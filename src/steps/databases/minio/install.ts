import { BUNDLE_BINARIES } from '../../../bundle/binaries.js';
import type { Inventory } from '../../../inventory/defaults.js';
import { directoryOperation } from '../../../operations/directory.js';
import { systemdUnitOperation } from '../../../operations/systemd.js';
import type { Operation } from '../../../operations/types.js';
import { groupOperation, userOperation } from '../../../operations/user.js';
import type { WireSecrets } from '../../../secrets/generate.js';
import { templateOperation } from '../../../templates/load.js';
import { fromAssets } from '../../../wire/assets.js';
import { dataDir, MC, MINIO_INSTANCES, minioEnvValues, unitName } from '../../../wire/minio.js';
import { defineStep } from '../../define-step.js';
import { PRODUCTION_ONLY } from '../../types.js';

/**
 * MinIO on the minio hosts, as Wire's minio.yml does it (docs/wire/install-sequences.md#minio-install): the server and mc
 * builds from the bundle, a minio-user, and two instances per host (server1 on :9000, server2 on
 * :9092, docs/wire/health-and-ports.md#ports-and-firewall) that together form one distributed deployment over every host's two drives.
 * The root keys come from secrets.yaml and live only in the 0600 environment files.
 */
export const minioInstallStep = defineStep({
  id: 'databases.minio-install',
  stage: 'databases',
  title: 'Install MinIO: two instances per host, on :9000 and :9092',
  modes: PRODUCTION_ONLY,
  target: { kind: 'hosts', roles: ['minio'] },
  order: 'parallel',
  why: "Wire's minio.yml runs two distributed MinIO instances per host from the bundle's builds",
  needs: ['bundle', 'secrets'],
  operations: (inventory, host, options) => minioInstall(inventory, host.name, options, options.secrets),
});

export const MINIO = '/usr/local/bin/minio';
export const MINIO_USER = 'minio-user';
const envFile = (instance: number) => `/etc/default/minio-server${instance}`;
const unitFile = (instance: number) => `/etc/systemd/system/${unitName(instance)}`;

export function minioInstall(
  inventory: Inventory,
  hostName: string,
  options: { bundleRoot: string | undefined },
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
