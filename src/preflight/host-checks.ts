import type { Finding } from '../core/finding.js';
import type { HostFacts, ListeningSocket } from '../hosts/facts.js';
import type { Host, Inventory } from '../inventory/defaults.js';
import type { Role } from '../inventory/roles.js';
import { amount, appliedSizings, strictest, subject } from '../rules/hardware.js';
import { DIMENSIONS, type Dimension } from '../rules/hardware-table.js';

/**
 * Preflight on measured facts, before any change: the OS, the hardware against the sizing of
 * the host's roles (the same table the inventory's declared resources are checked against),
 * time sync, one machine per inventory host, the clocks of all hosts together, and the ports the
 * roles need not taken by other programs. Pure: facts
 * in, findings out; the preflight step turns errors into a failed step.
 */
export interface PreflightOptions {
  /** --allow-unsupported-os: an unsupported OS is a warning, always shown, not an error. */
  allowUnsupportedOs: boolean;
  /** --allow-undersized: hardware below Wire's minimums is a warning, always shown. */
  allowUndersized: boolean;
}

/** Wire's bundle is built for jammy (debs-jammy.tar); WIAB Dev runs on noble (docs/wire/install-sequences.md#offline-bundle, docs/wire/inventory-and-hardware.md#os-and-network-rules). */
export const SUPPORTED_OS = [
  { id: 'ubuntu', versionId: '22.04', name: 'Ubuntu 22.04' },
  { id: 'ubuntu', versionId: '24.04', name: 'Ubuntu 24.04' },
] as const;

/**
 * A VM's memory shows as MemTotal, a little below what it was given (the kernel keeps some), and
 * a disk as its filesystem, a little below the disk: a host sized exactly right must pass.
 */
export const MEASURE_SLACK = 0.9;

/** Clocks further apart than this are an error (TLS and kubeadm tokens fail); above WARN, a warning. */
export const CLOCK_SKEW_ERROR_MS = 30_000;
export const CLOCK_SKEW_WARN_MS = 500;

function measuredValue(facts: HostFacts, dimension: Dimension): number {
  if (dimension === 'cpus') return facts.cpus;
  if (dimension === 'memoryGiB') return facts.memoryGiB;
  return facts.disk.totalGiB;
}

export function checkOs(host: Host, facts: HostFacts, options: PreflightOptions): Finding[] {
  const supported = SUPPORTED_OS.some((os) => os.id === facts.os.id && os.versionId === facts.os.versionId);
  if (supported) return [];
  const names = SUPPORTED_OS.map((os) => os.name).join(' and ');
  return [
    {
      severity: options.allowUnsupportedOs ? 'warning' : 'error',
      rule: 'preflight.os',
      host: host.name,
      message: options.allowUnsupportedOs
        ? `${host.name} runs ${facts.os.prettyName || 'an unknown OS'}, which Wire does not support; going on because of --allow-unsupported-os`
        : `${host.name} runs ${facts.os.prettyName || 'an unknown OS'}; Wire's bundle supports ${names} only (its apt repository is built for them)`,
      measured: `${facts.os.id} ${facts.os.versionId}`.trim(),
      required: names,
      fix: `install ${SUPPORTED_OS[0].name} on ${host.name}, or pass --allow-unsupported-os at your own risk`,
    },
  ];
}

export function checkHardware(
  inventory: Inventory,
  host: Host,
  facts: HostFacts,
  options: PreflightOptions,
): Finding[] {
  const applied = appliedSizings(inventory, host);
  if (applied.length === 0) return [];
  const findings: Finding[] = [];
  for (const dimension of DIMENSIONS) {
    const value = measuredValue(facts, dimension);
    const minimum = strictest(applied, dimension, 'minimum');
    if (!minimum || !Number.isFinite(value)) continue;
    const slack = dimension === 'cpus' ? 1 : MEASURE_SLACK;
    if (value >= minimum.value * slack) continue;
    const where = dimension === 'diskGiB' ? ` (the filesystem of ${facts.disk.path})` : '';
    findings.push({
      severity: options.allowUndersized ? 'warning' : 'error',
      rule: `preflight.${dimension === 'cpus' ? 'cpus' : dimension === 'memoryGiB' ? 'memory' : 'disk'}`,
      host: host.name,
      message: `${host.name} has ${amount(dimension, value)}${where}; ${subject(minimum.label)} needs at least ${amount(dimension, minimum.value)} (${minimum.source})${options.allowUndersized ? '; going on because of --allow-undersized' : ''}`,
      measured: amount(dimension, value),
      required: `at least ${amount(dimension, minimum.value)}`,
      fix: `give ${host.name} more resources, or pass --allow-undersized for a test installation`,
    });
  }
  return findings;
}

export function checkTimeSync(host: Host, facts: HostFacts): Finding[] {
  if (facts.timeSync.ntpSynchronized) return [];
  return [
    {
      severity: 'warning',
      rule: 'preflight.time-sync',
      host: host.name,
      message: facts.timeSync.service
        ? `${host.name}: ${facts.timeSync.service} runs but the clock is not synchronised yet`
        : `${host.name}: no time service runs; bootstrap-host.time-sync installs one (Cassandra needs synchronised clocks)`,
      measured: facts.timeSync.service ?? 'no time service',
      required: 'a synchronised clock',
      fix: 'let bootstrap-host.time-sync set it up, or check the NTP server the host uses',
    },
  ];
}

export function checkSameMachine(
  host: Host,
  facts: HostFacts,
  allFacts: ReadonlyMap<string, HostFacts>,
): Finding[] {
  const twins = [...allFacts]
    .filter(
      ([name, other]) => name !== host.name && facts.machineId !== '' && other.machineId === facts.machineId,
    )
    .map(([name]) => name);
  if (twins.length === 0) return [];
  return [
    {
      severity: 'error',
      rule: 'preflight.machine-id',
      host: host.name,
      message: `${host.name} has the same machine-id as ${twins.join(', ')}: the same machine twice in the inventory, or clones that were not given their own identity`,
      measured: facts.machineId,
      required: 'a machine-id of its own',
      fix: `check the addresses in the inventory; for clones, run \`rm /etc/machine-id && systemd-machine-id-setup\` on one of them`,
    },
  ];
}

export function checkClock(
  host: Host,
  facts: HostFacts,
  allFacts: ReadonlyMap<string, HostFacts>,
): Finding[] {
  // This machine (offset 0 by definition) votes too: with two hosts, one of them 300 s off,
  // the median of the hosts alone could be the wrong one's and blame the right host.
  const offsets = [0, ...[...allFacts.values()].map((other) => other.clockOffsetMs)];
  const median = [...offsets].sort((a, b) => a - b)[Math.floor(offsets.length / 2)] ?? 0;
  const skew = Math.abs(facts.clockOffsetMs - median);
  if (skew < CLOCK_SKEW_WARN_MS) return [];
  const seconds = (skew / 1000).toFixed(1);
  return [
    {
      severity: skew >= CLOCK_SKEW_ERROR_MS ? 'error' : 'warning',
      rule: 'preflight.clock',
      host: host.name,
      message: `${host.name}'s clock is ${seconds} s off the other hosts'`,
      measured: `${seconds} s`,
      required: `within ${CLOCK_SKEW_WARN_MS / 1000} s (error from ${CLOCK_SKEW_ERROR_MS / 1000} s)`,
      fix: `set the clock of ${host.name} (and run apply again: bootstrap-host.time-sync keeps it in step)`,
    },
  ];
}

/**
 * TCP ports the host's roles will listen on (docs/wire/health-and-ports.md#ports-and-firewall, and Kubernetes' own), and who may hold
 * them: ours from an earlier apply, known by the systemd unit or pod slice the process runs in
 * (its cgroup: what our steps create), or else by program name (an install made before
 * wire-install, e.g. by Wire's playbooks). Any other program there is in the way.
 */
interface PortOwner {
  port: number;
  what: string;
  programs: string[];
  /** Substrings of the holder's cgroup path that make it ours. */
  cgroups: string[];
}

export const ROLE_PORTS: Partial<Record<Role, PortOwner[]>> = {
  'kube-control-plane': [
    // Static pods: their cgroups live under the kubepods slice.
    { port: 6443, what: 'the Kubernetes API', programs: ['kube-apiserver'], cgroups: ['kubepods'] },
    { port: 2379, what: 'etcd', programs: ['etcd'], cgroups: ['kubepods'] },
    { port: 2380, what: 'etcd peers', programs: ['etcd'], cgroups: ['kubepods'] },
  ],
  'kube-worker': [
    { port: 10250, what: 'kubelet', programs: ['kubelet'], cgroups: ['/kubelet.service'] },
    { port: 31772, what: 'the ingress (HTTP NodePort)', programs: ['kube-proxy'], cgroups: ['kubepods'] },
    { port: 31773, what: 'the ingress (HTTPS NodePort)', programs: ['kube-proxy'], cgroups: ['kubepods'] },
  ],
  cassandra: [
    { port: 9042, what: 'Cassandra (CQL)', programs: ['java'], cgroups: ['/cassandra.service'] },
    { port: 7000, what: 'Cassandra (gossip)', programs: ['java'], cgroups: ['/cassandra.service'] },
  ],
  elasticsearch: [
    { port: 9200, what: 'Elasticsearch (HTTP)', programs: ['java'], cgroups: ['/elasticsearch.service'] },
    {
      port: 9300,
      what: 'Elasticsearch (transport)',
      programs: ['java'],
      cgroups: ['/elasticsearch.service'],
    },
  ],
  minio: [
    { port: 9000, what: 'MinIO', programs: ['minio'], cgroups: ['/minio-server1.service'] },
    { port: 9092, what: 'MinIO (second instance)', programs: ['minio'], cgroups: ['/minio-server2.service'] },
  ],
  rabbitmq: [
    { port: 5672, what: 'RabbitMQ (AMQP)', programs: ['beam.smp'], cgroups: ['/rabbitmq-server.service'] },
    {
      port: 4369,
      what: 'RabbitMQ (epmd)',
      // systemd itself (pid 1, /init.scope) holds 4369 for epmd.socket until epmd first starts,
      // as after every reboot of a RabbitMQ host.
      programs: ['epmd'],
      cgroups: ['/epmd.service', '/rabbitmq-server.service', '/init.scope'],
    },
    {
      port: 25672,
      what: 'RabbitMQ (inter-node)',
      programs: ['beam.smp'],
      cgroups: ['/rabbitmq-server.service'],
    },
    {
      port: 15672,
      what: 'RabbitMQ (management API)',
      programs: ['beam.smp'],
      cgroups: ['/rabbitmq-server.service'],
    },
  ],
  postgresql: [{ port: 5432, what: 'PostgreSQL', programs: ['postgres'], cgroups: ['/postgresql'] }],
  // python3 is too common a program to be ours by name: only the unit assets.serve writes.
  assethost: [
    {
      port: 8080,
      what: 'the bundle served to the hosts',
      programs: ['nginx'],
      cgroups: ['/serve-assets.service'],
    },
  ],
};

/**
 * A demo's ingress controller takes 443 and 80 on its host as hostPorts (values/ingress.ts):
 * the CNI's DNAT sends them to the pod before any program listening there would see them, so
 * a web server already on the host silently stops answering: name it before the install.
 */
const DEMO_PORTS: PortOwner[] = [
  { port: 443, what: "the demo's ingress (HTTPS hostPort)", programs: [], cgroups: ['kubepods'] },
  { port: 80, what: "the demo's ingress (HTTP hostPort)", programs: [], cgroups: ['kubepods'] },
];

const ours = (owner: PortOwner, holder: ListeningSocket) =>
  owner.programs.includes(holder.program) || owner.cgroups.some((part) => holder.cgroup.includes(part));

/**
 * `(agetty)`: a process systemd has forked and not yet exec-ed, which holds every socket of
 * systemd for that moment (common right after a boot). Not an owner: ss shows only it when the
 * socket's real holder is not visible to it. Said, not refused: the next run sees the real one.
 */
function forkedBySystemd(holder: ListeningSocket): boolean {
  return /^\(.*\)?$/.test(holder.program);
}

function heldForAMoment(host: Host, wanted: PortOwner, role: string, program: string): Finding {
  return {
    severity: 'warning',
    rule: 'preflight.ports',
    host: host.name,
    message: `${host.name}: port ${wanted.port}, which ${wanted.what} needs (role ${role}), was held for a moment by ${program}, a process systemd was starting (usual right after a boot)`,
    measured: `${wanted.port}/tcp held by ${program} (systemd's child before it starts its program)`,
    required: `${wanted.port}/tcp free or held by ${wanted.what}`,
    fix: `if the next run says the same, see who holds it: ss -ltnp 'sport = :${wanted.port}' on ${host.name}`,
  };
}

function checkPorts(inventory: Inventory, host: Host, facts: HostFacts): Finding[] {
  const findings: Finding[] = [];
  const seen = new Set<number>();
  const wantedBy = host.roles.map((role) => [role as string, ROLE_PORTS[role] ?? []] as const);
  if (inventory.mode === 'demo') wantedBy.push(['demo', DEMO_PORTS]);
  for (const [role, ports] of wantedBy) {
    for (const wanted of ports) {
      if (seen.has(wanted.port)) continue;
      seen.add(wanted.port);
      const holder = facts.listening.find((socket) => socket.port === wanted.port);
      if (!holder || ours(wanted, holder)) continue;
      if (forkedBySystemd(holder)) {
        findings.push(heldForAMoment(host, wanted, role, holder.program));
        continue;
      }
      findings.push({
        severity: 'error',
        rule: 'preflight.ports',
        host: host.name,
        message: `${host.name}: port ${wanted.port}, which ${wanted.what} needs (role ${role}), is already taken by ${holder.program || 'another program'}`,
        measured: `${wanted.port}/tcp in use by ${holder.program || 'unknown'}`,
        required: `${wanted.port}/tcp free`,
        fix: `stop and disable ${holder.program || 'that program'} on ${host.name} (ss -ltnp shows it), or move the role to another host`,
      });
    }
  }
  return findings;
}

export function checkHostFacts(
  inventory: Inventory,
  host: Host,
  facts: HostFacts,
  allFacts: ReadonlyMap<string, HostFacts>,
  options: PreflightOptions,
): Finding[] {
  return [
    ...checkOs(host, facts, options),
    ...checkHardware(inventory, host, facts, options),
    ...checkTimeSync(host, facts),
    ...checkSameMachine(host, facts, allFacts),
    ...checkClock(host, facts, allFacts),
    ...checkPorts(inventory, host, facts),
  ];
}

/** A host marked by bootstrap-host as part of another installation (another domain). */
export function checkInstallation(inventory: Inventory, hostName: string, facts: HostFacts): Finding[] {
  if (facts.installedBy === undefined || facts.installedBy === inventory.domain) return [];
  return [
    {
      severity: 'error',
      rule: 'preflight.other-installation',
      host: hostName,
      message: `${hostName} belongs to another Wire installation; changing it could break that one`,
      measured: `/etc/wire-install/installed-by says ${facts.installedBy}`,
      required: inventory.domain,
      fix: `check the address of ${hostName} in the inventory; if the host is really free, remove /etc/wire-install/installed-by on it`,
    },
  ];
}
