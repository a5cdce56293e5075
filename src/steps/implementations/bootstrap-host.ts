import type { StepHost } from '../../engine/types.js';
import { type Inventory, trafficAddress } from '../../inventory/defaults.js';
import { aptPackageOperation, aptRepositoryOperation } from '../../operations/apt.js';
import { commandOperation } from '../../operations/command.js';
import { directoryOperation } from '../../operations/directory.js';
import { fileOperation } from '../../operations/file.js';
import { hostnameOperation } from '../../operations/hostname.js';
import { kernelModuleOperation } from '../../operations/kernel-module.js';
import { managedBlockOperation } from '../../operations/managed-block.js';
import { sysctlOperation } from '../../operations/sysctl.js';
import { systemdUnitOperation } from '../../operations/systemd.js';
import type { Operation } from '../../operations/types.js';
import { templateOperation } from '../../templates/load.js';
import { assetBaseUrl, fromAssets } from '../../wire/assets.js';
import type { WireStageOptions } from './types.js';

/** The bootstrap-host steps' operations: what Wire's playbooks set on every node (docs/wire/install-sequences.md#offline-production). */

/**
 * The host's name, and a mark that it belongs to this installation: the domain, in
 * /etc/wire-install/installed-by (read by the facts), so a later run pointed at a host of
 * another installation is stopped by preflight before it changes anything.
 */
export const INSTALLED_BY = '/etc/wire-install/installed-by';
export const hostname = (inventory: Inventory, host: StepHost): Operation[] => [
  hostnameOperation(host.name),
  directoryOperation({ path: '/etc/wire-install', mode: 0o755 }),
  fileOperation({ path: INSTALLED_BY, content: `${inventory.domain}\n`, mode: 0o644 }),
];

/** Every host's private address and name, so RabbitMQ and the databases find each other by name. */
export const etcHosts = (inventory: Inventory): Operation[] => [
  managedBlockOperation({
    path: '/etc/hosts',
    name: 'hosts',
    lines: inventory.hosts.map((other) => `${trafficAddress(other)} ${other.name}`),
    mode: 0o644,
  }),
];

/** Ubuntu's codename for the host, for the bundle's repository (debs-jammy for 22.04). */
function codename(host: StepHost): string {
  return releaseOf(host.facts.os.versionId);
}

const releaseOf = (versionId: string) => (versionId === '24.04' ? 'noble' : 'jammy');

/**
 * The repository key as Wire's build exports it, ASCII-armoured (`gpg --export -a`), so under a
 * .asc name: apt takes a .gpg keyring for binary. docs/wire/deployment-sources.md#apt-repository-key
 */
const BUNDLE_KEYRING = '/etc/apt/keyrings/wire-bundle.asc';

/** The sources line of the bundle's repository on a host of that Ubuntu version (doctor's hosts.apt-sources compares against it). */
export function bundleAptLine(inventory: Inventory, osVersionId: string): string {
  const release = releaseOf(osVersionId);
  return (
    inventory.bundle.aptRepository ??
    `deb [signed-by=${BUNDLE_KEYRING}] ${assetBaseUrl(inventory)}/debs-${release}/public ${release} main`
  );
}

/**
 * The bundle's apt repository as the only source, as Wire's setup-offline-sources.yml does:
 * the other sources are moved into /etc/apt/sources-moved-by-wire-install (kept, not deleted).
 * The repository and its key come from the asset host (Wire's ubuntu_repos and
 * ubuntu_repo_gpgkey: http://<assethost>:8080/debs-<release>/public[/gpg]); the key is
 * downloaded against the checksum the asset host published and saved as an ASCII-armoured
 * keyring, which apt reads by its .asc name (apt 1.4 and later). With bundle.aptRepository
 * (a mirror of the bundle's repository) the line is used as given and no key is fetched.
 */
export function aptSources(
  inventory: Inventory,
  host: StepHost,
  options: Pick<WireStageOptions, 'bundleRoot'>,
): Operation[] {
  const release = codename(host);
  const keyring = BUNDLE_KEYRING;
  const line = bundleAptLine(inventory, host.facts.os.versionId);
  const moved = '/etc/apt/sources-moved-by-wire-install';
  return [
    commandOperation({
      name: 'move the other apt sources away',
      command: [
        `mkdir -p ${moved}`,
        `if [ -s /etc/apt/sources.list ]; then mv /etc/apt/sources.list ${moved}/ && : > /etc/apt/sources.list; fi`,
        `for f in /etc/apt/sources.list.d/*; do case "$f" in */wire-bundle.list|*'/*') ;; *) mv "$f" ${moved}/ ;; esac; done`,
      ].join(' && '),
      unless: `[ ! -s /etc/apt/sources.list ] && [ -z "$(ls /etc/apt/sources.list.d | grep -vx wire-bundle.list)" ]`,
    }),
    ...(inventory.bundle.aptRepository
      ? []
      : [fromAssets(inventory, options, `debs-${release}/public/gpg`, keyring, 0o644)]),
    aptRepositoryOperation({ name: 'wire-bundle', line }),
  ];
}

/** What chrony.conf says on a host: the first host is the reference, the others follow it. */
export function chronyValues(inventory: Inventory, hostName: string): Record<string, string> {
  const [first] = inventory.hosts;
  const others = inventory.hosts.filter((other) => other.name !== first?.name);
  if (first?.name === hostName) {
    return {
      role: 'its own clock, serving the other hosts',
      sources: '# No upstream server: the installation is offline; this host is the reference.',
      serving: ['local stratum 8', ...others.map((other) => `allow ${trafficAddress(other)}`)].join('\n'),
    };
  }
  return {
    role: `${first?.name}, the time source of this installation`,
    sources: `server ${first ? trafficAddress(first) : ''} iburst`,
    serving: '',
  };
}

/** chrony; the first host serves the time to the others (Wire's sync_time.yml, docs/wire/install-sequences.md#time-sync). */
export function timeSync(inventory: Inventory, host: StepHost): Operation[] {
  const values = chronyValues(inventory, host.name);
  return [
    aptPackageOperation({ name: 'chrony' }),
    templateOperation('chrony/chrony.conf', values, { path: '/etc/chrony/chrony.conf', mode: 0o644 }),
    systemdUnitOperation({
      unit: 'chrony.service',
      enabled: true,
      running: true,
      restartWhenChanged: ['/etc/chrony/chrony.conf'],
    }),
  ];
}

/** kubelet refuses to run with swap (kubespray's preinstall turns it off, docs/wire/install-sequences.md#container-runtime). */
export const swapOff = (): Operation[] => [
  commandOperation({
    name: 'turn swap off, now and in /etc/fstab',
    command: `swapoff -a && sed -ri 's/^([^#].*[[:space:]]swap[[:space:]].*)$/# \\1  # turned off by wire-install (kubelet)/' /etc/fstab`,
    unless: `[ "$(wc -l < /proc/swaps)" -le 1 ] && ! grep -Eq '^[^#].*[[:space:]]swap[[:space:]]' /etc/fstab`,
  }),
];

const MODULES = ['overlay', 'br_netfilter'];

/** What containerd and the pod network need (docs/wire/install-sequences.md#wiab-dev, #container-runtime). */
export const kernelSettings = (): Operation[] => [
  fileOperation({
    path: '/etc/modules-load.d/wire-install.conf',
    content: `# Loaded at boot for containerd and the pod network (wire-install)\n${MODULES.join('\n')}\n`,
    mode: 0o644,
  }),
  ...MODULES.map(kernelModuleOperation),
  sysctlOperation({
    file: '60-wire-install-kubernetes.conf',
    settings: {
      'net.ipv4.ip_forward': '1',
      'net.bridge.bridge-nf-call-iptables': '1',
      'net.bridge.bridge-nf-call-ip6tables': '1',
    },
  }),
];
