import { BUNDLE_BINARIES } from '../../../bundle/binaries.js';
import type { StepHost } from '../../../engine/types.js';
import type { Inventory } from '../../../inventory/defaults.js';
import { aptPackageOperation } from '../../../operations/apt.js';
import { debFileOperation } from '../../../operations/deb-file.js';
import { sysctlOperation } from '../../../operations/sysctl.js';
import { systemdUnitOperation } from '../../../operations/systemd.js';
import type { Operation } from '../../../operations/types.js';
import { templateOperation } from '../../../templates/load.js';
import { fromAssets } from '../../../wire/assets.js';
import { elasticsearchConfig, heapSize } from '../../../wire/elasticsearch.js';
import { defineStep } from '../../define-step.js';
import { PRODUCTION_ONLY } from '../../types.js';

export const elasticsearchInstallStep = defineStep({
  id: 'databases.elasticsearch-install',
  stage: 'databases',
  title: 'Install elasticsearch-oss 6.8.23 and form the cluster',
  modes: PRODUCTION_ONLY,
  target: { kind: 'hosts', roles: ['elasticsearch'] },
  order: 'parallel',
  why: "Wire's elasticsearch.yml installs elasticsearch-oss-6.8.23.deb from the bundle; every node is master-eligible",
  needs: ['bundle'],
  operations: (inventory, host, options) => elasticsearchInstall(inventory, host, options),
});

export const ES_VERSION = '6.8.23';
export const ES_PACKAGE = 'elasticsearch-oss';
const DEB = `/var/cache/wire-install/${ES_PACKAGE}-${ES_VERSION}.deb`;
const CONFIG = '/etc/elasticsearch/elasticsearch.yml';
const JVM_OPTIONS = '/etc/elasticsearch/jvm.options';

const hostHasCassandra = (inventory: Inventory, name: string): boolean =>
  inventory.hosts.some((host) => host.name === name && host.roles.includes('cassandra'));

export function elasticsearchInstall(
  inventory: Inventory,
  host: StepHost,
  options: { bundleRoot: string | undefined },
): Operation[] {
  return [
    // The stand-in of the lab's repository has this name too (test/lab/lab.sh).
    aptPackageOperation({ name: 'openjdk-8-jre-headless' }),
    fromAssets(inventory, options, BUNDLE_BINARIES.elasticsearchDeb, DEB),
    debFileOperation({ name: ES_PACKAGE, version: ES_VERSION, path: DEB }),
    templateOperation('elasticsearch/elasticsearch.yml', elasticsearchConfig(inventory, host.name), {
      path: CONFIG,
      mode: 0o660,
      owner: 'root',
      group: 'elasticsearch',
    }),
    templateOperation(
      'elasticsearch/jvm.options',
      { heap: heapSize(host.facts.memoryGiB, hostHasCassandra(inventory, host.name)) },
      { path: JVM_OPTIONS, mode: 0o660, owner: 'root', group: 'elasticsearch' },
    ),
    // ES's bootstrap check refuses to start on a non-loopback address below this (its docs,
    // "Virtual memory"); the real .deb sets it only in /usr/lib/sysctl.d, applied at boot.
    sysctlOperation({
      file: '60-wire-install-elasticsearch.conf',
      settings: { 'vm.max_map_count': '262144' },
    }),
    systemdUnitOperation({
      unit: 'elasticsearch.service',
      enabled: true,
      running: true,
      restartWhenChanged: [CONFIG, JVM_OPTIONS, DEB],
    }),
  ];
}
