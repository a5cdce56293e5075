import type { Finding } from '../../core/finding.js';
import type { HostFacts } from '../../hosts/facts.js';
import type { Host } from '../../inventory/defaults.js';
import {
  CLOCK_SKEW_ERROR_MS,
  CLOCK_SKEW_WARN_MS,
  checkClock,
  checkHardware,
  checkOs,
  checkSameMachine,
  checkTimeSync,
} from '../../preflight/host-checks.js';
import { fail, fromFindings, pass, warn } from '../results.js';
import type { DoctorCheck, DoctorContext, DoctorResult } from '../types.js';
import { connectedHosts, inventoryFacts } from './host-list.js';

/**
 * The hosts' measured facts (gathered once by the runner, src/hosts/facts.ts) judged by
 * preflight's own rules (src/preflight/host-checks.ts), so doctor and apply never disagree
 * about a host: OS, hardware, time service, clock skew, one machine per inventory name.
 */

const always = () => undefined;

/** One check's results per connected host: its findings, or one pass with `passed`'s summary. */
function perHost(
  check: string,
  context: DoctorContext,
  judge: (host: Host, facts: HostFacts) => Finding[],
  passed: (host: Host, facts: HostFacts) => { summary: string; evidence: string[] },
): DoctorResult[] {
  return connectedHosts(context).flatMap(({ host, facts }) => {
    if (!facts)
      return [
        fail(
          check,
          `no facts were gathered from ${host.name}`,
          'run doctor again; see the debug log (.wire-install/logs/doctor-*.log) for the SSH error',
          {
            host: host.name,
            evidence: ['connected over SSH, but gathering the host facts did not return them'],
          },
        ),
      ];
    const { summary, evidence } = passed(host, facts);
    return fromFindings(check, judge(host, facts), { summary, host: host.name, evidence });
  });
}

const osCheck: DoctorCheck = {
  id: 'hosts.os',
  group: 'hosts',
  title: "Each host runs an OS Wire's bundle supports (Ubuntu 22.04 or 24.04)",
  needsHosts: true,
  skipReason: always,
  run: async (context) =>
    perHost(
      'hosts.os',
      context,
      (host, facts) => checkOs(host, facts, context.preflight),
      (host, facts) => ({
        summary: `${host.name} runs ${facts.os.prettyName}`,
        evidence: [`measured: ${facts.os.id} ${facts.os.versionId}, kernel ${facts.kernel}`],
      }),
    ),
};

const hardwareCheck: DoctorCheck = {
  id: 'hosts.hardware',
  group: 'hosts',
  title: "CPUs, memory and disk measured against the sizing of each host's roles",
  needsHosts: true,
  skipReason: always,
  run: async (context) =>
    perHost(
      'hosts.hardware',
      context,
      (host, facts) => checkHardware(context.inventory, host, facts, context.preflight),
      (host, facts) => ({
        summary: `${host.name} has what its roles (${host.roles.join(', ')}) need`,
        evidence: [
          `measured: ${facts.cpus} CPUs, ${facts.memoryGiB} GiB memory, ${facts.disk.totalGiB} GiB disk (${facts.disk.path}, ${facts.disk.freeGiB} GiB free)`,
        ],
      }),
    ),
};

const timeSyncCheck: DoctorCheck = {
  id: 'hosts.time-sync',
  group: 'hosts',
  title: 'A time service runs on each host and its clock is synchronised',
  needsHosts: true,
  skipReason: always,
  run: async (context) =>
    perHost(
      'hosts.time-sync',
      context,
      (host, facts) => checkTimeSync(host, facts),
      (host, facts) => ({
        summary: `${host.name}: ${facts.timeSync.service ?? 'the time service'} runs and the clock is synchronised`,
        evidence: [`measured: ${facts.timeSync.service ?? 'a time service'}, NTPSynchronized=yes`],
      }),
    ),
};

const seconds = (ms: number) => `${ms >= 0 ? '+' : '-'}${(Math.abs(ms) / 1000).toFixed(3)} s`;

/** Cassandra orders writes by timestamp; skewed clocks break its schema migrations (docs/wire/known-problems.md#cassandra-migrations-fail). */
export const CLOCK_TOLERANCE = `tolerance: within ${CLOCK_SKEW_WARN_MS / 1000} s of the other hosts, an error from ${CLOCK_SKEW_ERROR_MS / 1000} s (Cassandra orders writes by timestamp; skew breaks its migrations)`;

/** Each host's clock against this machine's, and the widest gap between two hosts. */
export function clockEvidence(facts: ReadonlyMap<string, HostFacts>): string[] {
  const offsets = [...facts].map(([name, hostFacts]) => ({ name, offset: hostFacts.clockOffsetMs }));
  if (offsets.length === 0) return [];
  const sorted = [...offsets].sort((a, b) => a.offset - b.offset);
  const [lowest, highest] = [sorted[0], sorted[sorted.length - 1]];
  const widest =
    lowest && highest && lowest !== highest
      ? [
          `max pairwise skew: ${(Math.abs(highest.offset - lowest.offset) / 1000).toFixed(3)} s (${highest.name} against ${lowest.name})`,
        ]
      : [];
  return [
    ...offsets.map(({ name, offset }) => `${name}: clock ${seconds(offset)} against the admin host`),
    ...widest,
    CLOCK_TOLERANCE,
  ];
}

const clockSkewCheck: DoctorCheck = {
  id: 'hosts.clock-skew',
  group: 'hosts',
  title: "The hosts' clocks agree (measured against this machine, compared with each other)",
  needsHosts: true,
  skipReason: always,
  run: async (context) => {
    const facts = inventoryFacts(context);
    if (facts.size === 0) return [];
    const evidence = clockEvidence(facts);
    const findings = context.inventory.hosts.flatMap((host) => {
      const hostFacts = facts.get(host.name);
      return hostFacts ? checkClock(host, hostFacts, facts) : [];
    });
    if (findings.length === 0)
      return [
        pass(
          'hosts.clock-skew',
          `the clocks of ${facts.size} host(s) agree within ${CLOCK_SKEW_WARN_MS / 1000} s`,
          {
            evidence,
          },
        ),
      ];
    return findings.map((finding) => {
      const offset = facts.get(finding.host ?? '')?.clockOffsetMs ?? 0;
      const details = {
        host: finding.host,
        evidence: [
          `${finding.host}'s clock is ${finding.measured} off the median of the hosts, ${seconds(offset)} against the admin host`,
          ...evidence,
        ],
      };
      return finding.severity === 'error'
        ? fail('hosts.clock-skew', finding.message, finding.fix, details)
        : warn('hosts.clock-skew', finding.message, finding.fix, details);
    });
  },
};

/**
 * Two inventory hosts with the same hostname: before bootstrap-host.hostname sets each to its
 * inventory name, a warning; after it, a host whose name differs was renamed since (Wire's
 * playbooks are known to overwrite hostnames, docs/wire/known-problems.md#inventory-and-ansible-problems), and RabbitMQ and etcd know
 * their peers by name.
 */
export function checkHostnames(
  host: Host,
  facts: HostFacts,
  allFacts: ReadonlyMap<string, HostFacts>,
  renamedByBootstrap: boolean,
): Finding[] {
  const findings = checkSameMachine(host, facts, allFacts);
  if (renamedByBootstrap && facts.hostname !== host.name)
    findings.push({
      severity: 'error',
      rule: 'doctor.hostname',
      host: host.name,
      message: `${host.name}'s hostname is ${facts.hostname}, not its inventory name (bootstrap-host.hostname set it; something renamed it since)`,
      measured: facts.hostname,
      required: host.name,
      fix: `wire-install apply --only bootstrap-host.hostname (sets it back to ${host.name})`,
    });
  const twins = [...allFacts]
    .filter(([name, other]) => name !== host.name && other.hostname === facts.hostname)
    .map(([name]) => name);
  if (twins.length > 0)
    findings.push({
      severity: renamedByBootstrap ? 'error' : 'warning',
      rule: 'doctor.hostname',
      host: host.name,
      message: `${host.name} has the same hostname (${facts.hostname}) as ${twins.join(', ')}`,
      measured: facts.hostname,
      required: 'a hostname of its own',
      fix: renamedByBootstrap
        ? `wire-install apply --only bootstrap-host.hostname (names each host after the inventory)`
        : 'bootstrap-host.hostname names each host after the inventory when apply runs',
    });
  return findings;
}

const hostnamesCheck: DoctorCheck = {
  id: 'hosts.hostnames',
  group: 'hosts',
  title: 'Each host has a hostname and a machine-id of its own',
  needsHosts: true,
  skipReason: always,
  run: async (context) => {
    const facts = inventoryFacts(context);
    const renamed = context.installed.succeededSteps.has('bootstrap-host.hostname');
    return perHost(
      'hosts.hostnames',
      context,
      (host, hostFacts) => checkHostnames(host, hostFacts, facts, renamed),
      (host, hostFacts) => ({
        summary: `${host.name}: hostname ${hostFacts.hostname} and its machine-id are its own`,
        evidence: [`measured: hostname ${hostFacts.hostname}, machine-id ${hostFacts.machineId}`],
      }),
    );
  },
};

export const HOST_FACT_CHECKS: readonly DoctorCheck[] = [
  osCheck,
  hardwareCheck,
  timeSyncCheck,
  clockSkewCheck,
  hostnamesCheck,
];
