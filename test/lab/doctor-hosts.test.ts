import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport, DoctorResult } from '../../src/doctor/types.js';
import {
  dropPort,
  SKEW_SECONDS,
  skewClock,
  UNREACHABLE,
  undropPorts,
  unskewClock,
  withUnreachableHost,
} from './doctor-faults.js';
import { type LabWorkspace, labWorkspace } from './lab-cli.js';
import { labHosts } from './lab-hosts.js';
import { ALLOW, runWireCli } from './wire-lab.js';

/**
 * `doctor --only hosts,network` through the real CLI on five lab hosts (three nodes with every
 * database, a worker, the asset host): a clean lab has no failure; then three real faults are
 * planted and doctor reports exactly those, each with its evidence and fix:
 * - a host whose clock is 300 s ahead (a STAND-IN `date`: the lab hosts share this machine's
 *   kernel clock, see doctor-faults.ts);
 * - an inventory host nothing answers for: 127.0.0.1 port 1 (loopback, nothing listens);
 * - Cassandra's CQL port dropped on one node by a real nftables rule in that host's network
 *   namespace (set from this machine: the lab's containers lack CAP_NET_ADMIN), so every
 *   Kubernetes node's probe of it times out.
 */

const HOSTS = labHosts().slice(0, 5);
const [CASSANDRA_NODE, , , SKEWED] = HOSTS;
/** The other Kubernetes nodes, which probe the Cassandra node's 9042. */
const PROBING = HOSTS.slice(1, 4);
const unplant = async () => {
  await unskewClock(SKEWED);
  undropPorts(CASSANDRA_NODE);
};

async function doctor(
  workspace: LabWorkspace,
): Promise<{ exitCode: number; report: DoctorReport; stderr: string }> {
  const run = await runWireCli(workspace, ['doctor', '--only', 'hosts,network', '--json', ...ALLOW]);
  expect(run.stdout.trim().startsWith('{'), run.stderr).toBe(true);
  return { exitCode: run.exitCode, report: JSON.parse(run.stdout) as DoctorReport, stderr: run.stderr };
}

const fails = (report: DoctorReport): DoctorResult[] =>
  report.results.filter((result) => result.status === 'fail');
const key = (result: DoctorResult) => `${result.check} ${result.host ?? ''}`;

beforeAll(unplant, 60_000);
afterAll(unplant, 60_000);

describe('doctor --only hosts,network on the lab', () => {
  it('a clean lab: no failure; every host reachable, its clock in step, every role port reachable', async () => {
    const { exitCode, report, stderr } = await doctor(labWorkspace(5));
    expect(fails(report).map(key), stderr).toEqual([]);
    expect(exitCode).toBe(0);
    const passed = (check: string) =>
      report.results
        .filter((result) => result.check === check && result.status === 'pass')
        .map((r) => r.host);
    expect(passed('hosts.reachable')).toEqual(HOSTS.map((host) => host.name));
    expect(passed('hosts.sudo')).toEqual(HOSTS.map((host) => host.name));
    expect(passed('network.role-ports')).toEqual(HOSTS.map((host) => host.name));
    // The fourth host (a worker): 5 databases x 3 nodes, 6443 on the 3 control planes, the asset host's 8080.
    const worker = HOSTS[3]?.name;
    const ports = report.results.find(
      (result) => result.check === 'network.role-ports' && result.host === worker,
    );
    expect(ports?.summary).toContain('19 of 19');
    expect(ports?.evidence.join('\n')).toContain('refused: not blocked, nothing listens yet');
    const [clock] = report.results.filter((result) => result.check === 'hosts.clock-skew');
    expect(clock?.status).toBe('pass');
    const widest = /max pairwise skew: ([\d.]+) s/.exec(clock?.evidence.join('\n') ?? '');
    expect(Number(widest?.[1])).toBeLessThan(0.5);
  });

  describe('with three faults planted', () => {
    let report: DoctorReport;
    let exitCode: number;

    beforeAll(async () => {
      await skewClock(SKEWED);
      dropPort(CASSANDRA_NODE, 9042);
      ({ report, exitCode } = await doctor(labWorkspace(5, withUnreachableHost)));
    }, 120_000);

    it('reports exactly those three, exit 3', () => {
      expect(fails(report).map(key).sort()).toEqual(
        [
          `hosts.clock-skew ${SKEWED?.name}`,
          `hosts.reachable ${UNREACHABLE}`,
          ...PROBING.map((host) => `network.role-ports ${host.name}`),
        ].sort(),
      );
      expect(exitCode).toBe(3);
      for (const result of fails(report)) {
        expect(result.evidence.length, key(result)).toBeGreaterThan(0);
        expect(result.fix, key(result)).toBeTruthy();
      }
    });

    it('the clock: the host named with its measured offset, about 300 s, and the tolerance', () => {
      const [skew] = fails(report).filter((result) => result.check === 'hosts.clock-skew');
      expect(skew?.summary).toContain(`${SKEWED?.name}'s clock is`);
      const offset = new RegExp(`${SKEWED?.name}: clock \\+([\\d.]+) s against the admin host`).exec(
        skew?.evidence.join('\n') ?? '',
      );
      expect(Number(offset?.[1])).toBeGreaterThan(SKEW_SECONDS - 2);
      expect(Number(offset?.[1])).toBeLessThan(SKEW_SECONDS + 2);
      const widest = new RegExp(
        `max pairwise skew: ([\\d.]+) s \\(${SKEWED?.name} against labhost\\d+\\)`,
      ).exec(skew?.evidence.join('\n') ?? '');
      expect(Math.abs(Number(widest?.[1]) - SKEW_SECONDS)).toBeLessThan(2);
      expect(skew?.evidence.join('\n')).toContain('tolerance: within 0.5 s');
      expect(skew?.fix).toContain(`set the clock of ${SKEWED?.name}`);
    });

    it('the unreachable host: the reason and the ssh command to try', () => {
      const [down] = fails(report).filter((result) => result.check === 'hosts.reachable');
      expect(down?.summary).toContain('connection refused on 127.0.0.1 port 1');
      expect(down?.evidence.join('\n')).toContain('ECONNREFUSED');
      expect(down?.fix).toContain('`ssh -p 1 root@127.0.0.1`');
    });

    it('the dropped port: blocked from every Kubernetes node, with the firewall rule to open', () => {
      for (const from of PROBING) {
        const [blocked] = fails(report).filter(
          (result) => result.check === 'network.role-ports' && result.host === from.name,
        );
        expect(blocked?.summary).toBe(
          `${from.name} cannot reach Cassandra (CQL) on ${CASSANDRA_NODE?.name} (${CASSANDRA_NODE?.address}): 9042/tcp is blocked (no answer within 3 s)`,
        );
        expect(blocked?.evidence).toEqual([
          `9042/tcp from ${from.name} to ${CASSANDRA_NODE?.name} (${CASSANDRA_NODE?.address}): timed out after 3 s`,
        ]);
        expect(blocked?.fix).toContain(`ufw allow from ${from.address} to any port 9042 proto tcp`);
      }
    });
  });
});
