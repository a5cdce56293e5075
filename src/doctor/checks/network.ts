import { trafficAddress } from '../../inventory/defaults.js';
import { errorResult, fail, pass } from '../results.js';
import type { DoctorCheck, DoctorResult } from '../types.js';
import { connectedHosts } from './host-list.js';
import { type RolePortProbe, rolePortProbes } from './role-ports.js';
import { PROBE_TIMEOUT_SECONDS, type ProbeResult, probeFrom } from './tcp-probes.js';

/**
 * The ports between roles (docs/wire/health-and-ports.md#ports-and-firewall), probed FROM the hosts that need them: a firewall rule
 * or a cloud security group between the hosts is what makes cassandra-migrations hang
 * (docs/wire/known-problems.md#cassandra-migrations-fail) and nodes fail to join. Verdicts:
 * - open: pass;
 * - refused: the path is open and nothing listens: a pass until the role's service is
 *   installed (its step succeeded), then a fail (the service is down);
 * - timed out: blocked, a fail with the rule to open;
 * - no route: a fail (the address or routing is wrong).
 * One fail per (from-host, port, verdict) naming the target hosts, and one pass per from-host
 * counting what passed, so twenty hosts stay readable.
 */

export interface ProbedPort {
  probe: RolePortProbe;
  result: ProbeResult;
}

type Verdict = 'open' | 'not-listening-yet' | 'service-down' | 'blocked' | 'no-route';

export function verdictOf(outcome: ProbeResult['outcome'], installed: boolean): Verdict {
  if (outcome === 'open') return 'open';
  if (outcome === 'refused') return installed ? 'service-down' : 'not-listening-yet';
  return outcome === 'timed-out' ? 'blocked' : 'no-route';
}

const targets = (probed: ProbedPort[]) =>
  probed.map(({ probe }) => `${probe.to} (${probe.address})`).join(', ');

function failure(
  from: string,
  fromAddress: string,
  verdict: Verdict,
  probed: ProbedPort[],
  unreachable: ReadonlySet<string>,
): DoctorResult {
  const [{ probe } = { probe: undefined }] = probed;
  if (!probe) throw new Error('a failure needs a probe');
  const port = `${probe.port}/tcp`;
  // A target that does not answer SSH either may simply be down: no firewall rule would help.
  const down = [...new Set(probed.map(({ probe: one }) => one.to).filter((to) => unreachable.has(to)))];
  const evidence = probed.map(
    ({ probe: one, result }) =>
      `${port} from ${from} to ${one.to} (${one.address}): ${result.outcome === 'timed-out' ? `timed out after ${PROBE_TIMEOUT_SECONDS} s` : result.detail || result.outcome}${unreachable.has(one.to) ? ` (${one.to} does not answer SSH either: hosts.reachable)` : ''}`,
  );
  const details = { host: from, evidence };
  const downFirst =
    down.length > 0 && verdict !== 'service-down'
      ? `first bring ${down.join(', ')} back (not reachable over SSH either, see hosts.reachable: down, or a wrong address); then `
      : '';
  if (verdict === 'blocked')
    return fail(
      'network.role-ports',
      `${from} cannot reach ${probe.what} on ${targets(probed)}: ${port} is blocked (no answer within ${PROBE_TIMEOUT_SECONDS} s)`,
      `${downFirst}let ${port} in from ${fromAddress} on ${probed.map(({ probe: one }) => one.to).join(', ')}: e.g. there \`ufw allow from ${fromAddress} to any port ${probe.port} proto tcp\`, or the cloud security group / network firewall between the hosts`,
      details,
    );
  if (verdict === 'service-down')
    return fail(
      'network.role-ports',
      `${probe.what} does not listen on ${targets(probed)} (${port} refused from ${from}), though ${probe.installedBy} installed it: the service is down`,
      `on ${probed.map(({ probe: one }) => one.to).join(', ')}: ${probe.look}; start it, then run doctor again`,
      details,
    );
  return fail(
    'network.role-ports',
    `${from} has no route to ${targets(probed)} for ${probe.what} (${port})`,
    `${downFirst}check the address of ${probed.map(({ probe: one }) => one.to).join(', ')} in the inventory (privateAddress is what the hosts use between them) and the routes on ${from} (ip route get ${probe.address})`,
    details,
  );
}

/** The results of one from-host's probes. */
export function rolePortResults(
  from: string,
  fromAddress: string,
  probed: readonly ProbedPort[],
  installed: ReadonlySet<string>,
  /** Inventory hosts that did not answer SSH (hosts.reachable): a probe to them is no proof of a firewall. */
  unreachable: ReadonlySet<string> = new Set(),
): DoctorResult[] {
  if (probed.length === 0)
    return [
      pass('network.role-ports', `${from}'s roles talk to no other host's ports`, {
        host: from,
        evidence: ['nothing to probe'],
      }),
    ];
  const passed = new Map<string, ProbedPort[]>();
  const failed = new Map<string, { verdict: Verdict; probed: ProbedPort[] }>();
  for (const one of probed) {
    const verdict = verdictOf(one.result.outcome, installed.has(one.probe.installedBy));
    const key = `${one.probe.port} ${verdict}`;
    if (verdict === 'open' || verdict === 'not-listening-yet')
      passed.set(key, [...(passed.get(key) ?? []), one]);
    else failed.set(key, { verdict, probed: [...(failed.get(key)?.probed ?? []), one] });
  }
  const results: DoctorResult[] = [];
  const passedCount = [...passed.values()].reduce((sum, list) => sum + list.length, 0);
  if (passedCount > 0) {
    const evidence = [...passed].map(([key, list]) => {
      const [first] = list;
      const how = key.endsWith('not-listening-yet')
        ? `refused: not blocked, nothing listens yet (${first?.probe.installedBy} has not run)`
        : 'open';
      return `${first?.probe.port}/tcp (${first?.probe.what}) on ${list.map(({ probe }) => probe.to).join(', ')}: ${how}`;
    });
    results.push(
      pass('network.role-ports', `${from} reaches ${passedCount} of ${probed.length} role port(s) it needs`, {
        host: from,
        evidence,
      }),
    );
  }
  for (const { verdict, probed: list } of failed.values())
    results.push(failure(from, fromAddress, verdict, list, unreachable));
  return results;
}

const rolePortsCheck: DoctorCheck = {
  id: 'network.role-ports',
  group: 'network',
  title: 'The TCP ports between roles are open, probed from the hosts that need them',
  needsHosts: true,
  skipReason: () => undefined,
  run: async (context) => {
    const plan = rolePortProbes(context.inventory);
    const unreachable = new Set(context.unreachable.keys());
    const perHost = await Promise.all(
      connectedHosts(context).map(async ({ host, remote }) => {
        const probes = plan.get(host.name) ?? [];
        try {
          const results = await probeFrom(remote, probes, context.signal);
          const probed = probes.map((probe, index) => ({ probe, result: results[index] as ProbeResult }));
          return rolePortResults(
            host.name,
            trafficAddress(host),
            probed,
            context.installed.succeededSteps,
            unreachable,
          );
        } catch (error) {
          return [
            errorResult('network.role-ports', `probing the role ports from ${host.name}`, error, host.name),
          ];
        }
      }),
    );
    return perHost.flat();
  },
};

/** doctor's network checks (docs/doctor.md). */
export const NETWORK_CHECKS: readonly DoctorCheck[] = [rolePortsCheck];
