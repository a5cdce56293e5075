import { BUNDLE_BINARIES } from '../../../bundle/binaries.js';
import type { StepHost } from '../../../engine/types.js';
import type { Inventory } from '../../../inventory/defaults.js';
import { aptPackageOperation } from '../../../operations/apt.js';
import { commandOperation } from '../../../operations/command.js';
import { directoryOperation } from '../../../operations/directory.js';
import { fileOperation } from '../../../operations/file.js';
import type { Operation } from '../../../operations/types.js';
import { groupOperation, userOperation } from '../../../operations/user.js';
import { fromAssets } from '../../../wire/assets.js';
import {
  CASSANDRA_VERSION,
  CASSANDRA_YAML,
  cassandraEnv,
  cassandraHost,
  cassandraRackdc,
  cassandraUnit,
  cassandraYaml,
  DATA_DIRS,
  DATA_ROOT,
  ENV_FILE,
  INSTALL_DIR,
  RACKDC,
  UNIT_FILE,
} from '../../../wire/cassandra.js';
import { defineStep } from '../../define-step.js';
import { PRODUCTION_ONLY } from '../../types.js';

export const cassandraInstallStep = defineStep({
  id: 'databases.cassandra-install',
  stage: 'databases',
  title: 'Install Cassandra 3.11.19 and OpenJDK 8; write cassandra.yaml',
  modes: PRODUCTION_ONLY,
  target: { kind: 'hosts', roles: ['cassandra'] },
  order: 'parallel',
  why: "Wire's cassandra.yml installs 3.11.19 from the bundle's binaries on OpenJDK 8",
  needs: ['bundle'],
  operations: (inventory, host, options) => cassandraInstall(inventory, host, options),
});

const TARBALL = `/var/cache/wire-install/apache-cassandra-${CASSANDRA_VERSION}-bin.tar.gz`;

/** Unpacked beside a temporary name, then moved: a broken unpack never looks installed. */
function unpackScript(): string {
  const top = `apache-cassandra-${CASSANDRA_VERSION}`;
  return [
    'set -e',
    'tmp=$(mktemp -d /opt/.wire-install-cassandra.XXXXXX)',
    'trap \'rm -rf "$tmp"\' EXIT',
    `tar -xzf ${TARBALL} -C "$tmp" --no-same-owner`,
    `test -x "$tmp/${top}/bin/cassandra"`,
    `chown -R cassandra:cassandra "$tmp/${top}"`,
    // Left from elsewhere (bin/cassandra missing): mv would nest the new tree inside it.
    `if [ -e ${INSTALL_DIR} ]; then echo "${INSTALL_DIR} exists but has no bin/cassandra: move it away" >&2; exit 1; fi`,
    `mv "$tmp/${top}" ${INSTALL_DIR}`,
  ].join('\n');
}

export function cassandraInstall(
  inventory: Inventory,
  host: StepHost,
  options: { bundleRoot: string | undefined },
): Operation[] {
  const node = cassandraHost(inventory, host.name);
  const owned = { owner: 'cassandra', group: 'cassandra' };
  return [
    aptPackageOperation({ name: 'openjdk-8-jre-headless' }),
    groupOperation({ name: 'cassandra', system: true }),
    userOperation({
      name: 'cassandra',
      system: true,
      home: DATA_ROOT,
      shell: '/usr/sbin/nologin',
      createHome: false,
    }),
    fromAssets(inventory, options, BUNDLE_BINARIES.cassandra, TARBALL, 0o644),
    commandOperation({
      name: `unpack Cassandra ${CASSANDRA_VERSION} into ${INSTALL_DIR}`,
      command: unpackScript(),
      creates: `${INSTALL_DIR}/bin/cassandra`,
    }),
    directoryOperation({ path: DATA_ROOT, mode: 0o755, ...owned }),
    ...Object.values(DATA_DIRS).map((path) => directoryOperation({ path, mode: 0o775, ...owned })),
    fileOperation(
      { path: CASSANDRA_YAML, content: cassandraYaml(inventory, node), mode: 0o644, ...owned },
      'cassandra/cassandra.yaml',
    ),
    fileOperation(
      { path: RACKDC, content: cassandraRackdc(), mode: 0o644, ...owned },
      'cassandra/cassandra-rackdc.properties',
    ),
    fileOperation(
      { path: ENV_FILE, content: cassandraEnv(host.facts), mode: 0o644 },
      'cassandra/cassandra.env',
    ),
    fileOperation({ path: UNIT_FILE, content: cassandraUnit(), mode: 0o644 }, 'cassandra/cassandra.service'),
  ];
}
