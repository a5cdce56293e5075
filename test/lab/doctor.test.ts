import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport, DoctorResult } from '../../src/doctor/types.js';
import { loadInventoryFile } from '../../src/inventory/load.js';
import { requiredDnsNames } from '../../src/rules/dns-names.js';
import { secretValues } from '../../src/secrets/redact.js';
import { startDnsmasq, type TestDns } from '../support/dnsmasq.js';
import { createTestPki, wireNames } from '../support/test-pki.js';
import { serveTls, type TestTlsServer } from '../support/tls-server.js';
import {
  dropPort,
  skewClock,
  UNREACHABLE,
  undropPorts,
  unskewClock,
  withUnreachableHost,
} from './doctor-faults.js';
import { type LabWorkspace, labWorkspace } from './lab-cli.js';
import { labHosts } from './lab-hosts.js';
import { ALLOW, runWireCli, withSecrets } from './wire-lab.js';

/**
 * A plain `wire-install doctor` (every group) on five lab hosts, as an operator runs it before
 * the first apply: a clean installation passes; then five real faults at once, and doctor
 * reports exactly those, each with evidence and a fix, and exit 3:
 * - one host's clock 300 s ahead (a STAND-IN `date`: lab hosts share this machine's clock);
 * - one inventory host unreachable (loopback port 1, where nothing listens);
 * - Cassandra's 9042 dropped on one node by a real nftables rule;
 * - a required name missing from a real DNS server (dnsmasq, loopback only);
 * - an expired certificate served by a real TLS server (node:tls on 127.0.0.1, in the
 *   ingress's place through WIRE_INSTALL_INGRESS; openssl-made certificates from a test CA the
 *   CLI trusts through NODE_EXTRA_CA_CERTS, as an operator's machine trusts a private CA).
 * The cluster and database checks skip (nothing is installed yet). helm and kubectl on the admin
 * host are STAND-INs printing their versions. The faulted run also writes a support bundle,
 * which must contain no value of secrets.yaml.
 */

const HOSTS = labHosts().slice(0, 5);
const [CASSANDRA_NODE, , , SKEWED] = HOSTS;
const PROBING = HOSTS.slice(1, 4);
const DOMAIN = 'wire.lab.test';
const MISSING = `teams.${DOMAIN}`;

const saved = {
  PATH: process.env.PATH,
  WIRE_INSTALL_INGRESS: process.env.WIRE_INSTALL_INGRESS,
  NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
};
let dir: string;
let pkiDir: string;
let valid: { chain: string; key: string };
let expired: { chain: string; key: string };

/** The lab inventory with cert-manager (its trust is this machine's, plus NODE_EXTRA_CA_CERTS). */
const certManager = (inventory: string) =>
  inventory.replace('  mode: self-signed', `  mode: cert-manager\n  email: ops@${DOMAIN}`);

async function dnsFor(workspace: LabWorkspace, leaveOut?: string): Promise<TestDns> {
  const { inventory } = await loadInventoryFile(workspace.inventory);
  const names = requiredDnsNames(inventory)
    .map((entry) => entry.name)
    .filter((name) => name !== leaveOut);
  return startDnsmasq(DOMAIN, Object.fromEntries(names.map((name) => [name, '203.0.113.80'])));
}

async function doctor(
  workspace: LabWorkspace,
  dns: TestDns,
  extra: string[] = [],
): Promise<{ exitCode: number; report: DoctorReport; stderr: string }> {
  const run = await runWireCli(workspace, [
    'doctor',
    '--json',
    '--dns-server',
    dns.server,
    ...ALLOW,
    ...extra,
  ]);
  expect(run.stdout.trim().startsWith('{'), run.stderr).toBe(true);
  return { exitCode: run.exitCode, report: JSON.parse(run.stdout) as DoctorReport, stderr: run.stderr };
}

const fails = (report: DoctorReport): DoctorResult[] => report.results.filter((r) => r.status === 'fail');
const key = (result: DoctorResult) => `${result.check} ${result.host ?? '-'}`;

const unplant = async () => {
  await unskewClock(SKEWED);
  undropPorts(CASSANDRA_NODE);
};

beforeAll(async () => {
  await unplant();
  dir = mkdtempSync(join(tmpdir(), 'wil-doctor-lab-'));
  // Stand-ins for the admin host's helm and kubectl (local.tools runs their version commands).
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'helm'),
    '#!/bin/sh\n# stand-in for helm: its version only\necho v3.17.0+gstandin\n',
  );
  writeFileSync(
    join(bin, 'kubectl'),
    `#!/bin/sh\n# stand-in for kubectl: its version only\ncase "$*" in *json*) echo '{"clientVersion":{"major":"1","minor":"29","gitVersion":"v1.29.10"}}' ;; *) echo 'Client Version: v1.29.10' ;; esac\n`,
  );
  chmodSync(join(bin, 'helm'), 0o755);
  chmodSync(join(bin, 'kubectl'), 0o755);
  process.env.PATH = `${bin}:${saved.PATH}`;
  pkiDir = join(dir, 'pki');
  mkdirSync(pkiDir);
  const pki = createTestPki(pkiDir);
  valid = pki.leaf('valid', { names: wireNames(DOMAIN) });
  expired = pki.leaf('expired', { names: wireNames(DOMAIN), days: -1 });
  process.env.NODE_EXTRA_CA_CERTS = join(pkiDir, 'root.pem');
}, 60_000);

afterAll(async () => {
  await unplant();
  process.env.PATH = saved.PATH;
  for (const name of ['WIRE_INSTALL_INGRESS', 'NODE_EXTRA_CA_CERTS'] as const) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
}, 60_000);

describe('wire-install doctor on the lab, every group', () => {
  it('a clean installation: no failure, exit 0; the cluster and databases skip with the reason', async () => {
    const workspace = labWorkspace(5, certManager);
    await withSecrets(workspace);
    const dns = await dnsFor(workspace);
    const tls: TestTlsServer = await serveTls(valid.chain, valid.key);
    process.env.WIRE_INSTALL_INGRESS = `127.0.0.1:${tls.port}`;
    try {
      const { exitCode, report, stderr } = await doctor(workspace, dns);
      expect(fails(report).map(key), stderr).toEqual([]);
      expect(exitCode).toBe(0);
      expect(report.groups).toEqual([
        'local',
        'hosts',
        'network',
        'dns',
        'certs',
        'cluster',
        'databases',
        'drift',
      ]);
      const statuses = (group: string) => [
        ...new Set(report.results.filter((r) => r.group === group).map((r) => r.status)),
      ];
      expect(statuses('cluster')).toEqual(['skip']);
      expect(statuses('databases')).toEqual(['skip']);
      expect(report.results.find((r) => r.check === 'certs.served')?.status).toBe('pass');
      expect(report.results.find((r) => r.check === 'dns.names')?.status).toBe('pass');
    } finally {
      dns.stop();
      await tls.close();
    }
  });

  it('a host key in no known_hosts file: a warning on every run, never recorded by doctor', async () => {
    const workspace = labWorkspace(5, certManager);
    await withSecrets(workspace);
    writeFileSync(join(workspace.home, '.ssh', 'known_hosts'), '');
    const runHostKeys = async () => {
      const run = await runWireCli(workspace, ['doctor', '--only', 'hosts', '--json', ...ALLOW]);
      const report = JSON.parse(run.stdout) as DoctorReport;
      return report.results.filter((r) => r.check === 'hosts.host-key').map((r) => `${r.host} ${r.status}`);
    };
    const warned = HOSTS.map((host) => `${host.name} warn`);
    expect(await runHostKeys()).toEqual(warned);
    const trustFile = join(workspace.dir, '.wire-install', 'known_hosts');
    expect(existsSync(trustFile) ? readFileSync(trustFile, 'utf8') : '').not.toMatch(/ssh-ed25519/);
    expect(await runHostKeys()).toEqual(warned);
  });

  describe('with five faults planted at once', () => {
    let report: DoctorReport;
    let exitCode: number;
    let workspace: LabWorkspace;
    let secrets: string[];
    const bundle = () => join(workspace.dir, 'support.tar.gz');

    beforeAll(async () => {
      workspace = labWorkspace(5, (text) => withUnreachableHost(certManager(text)));
      secrets = secretValues(await withSecrets(workspace)).filter((value) => value.length >= 8);
      await skewClock(SKEWED);
      dropPort(CASSANDRA_NODE, 9042);
      const dns = await dnsFor(workspace, MISSING);
      const tls = await serveTls(expired.chain, expired.key);
      process.env.WIRE_INSTALL_INGRESS = `127.0.0.1:${tls.port}`;
      try {
        ({ report, exitCode } = await doctor(workspace, dns, ['--support-bundle', bundle()]));
      } finally {
        dns.stop();
        await tls.close();
        await unplant();
      }
    }, 180_000);

    it('reports exactly those, each with evidence and a fix, exit 3', () => {
      const certificateFails = fails(report).filter((r) => r.check === 'certs.served');
      expect(certificateFails.length).toBeGreaterThan(0);
      expect(
        fails(report)
          .filter((r) => r.check !== 'certs.served')
          .map(key)
          .sort(),
      ).toEqual(
        [
          `hosts.clock-skew ${SKEWED?.name}`,
          `hosts.reachable ${UNREACHABLE}`,
          // The inventory's rules see the planted host too: a loopback address is no Wire host.
          `local.inventory ${UNREACHABLE}`,
          ...PROBING.map((host) => `network.role-ports ${host.name}`),
          'dns.names -',
        ].sort(),
      );
      expect(exitCode).toBe(3);
      for (const result of fails(report)) {
        expect(result.evidence.length, key(result)).toBeGreaterThan(0);
        expect(result.fix, key(result)).toBeTruthy();
      }
    });

    it('names the missing DNS name, the expired certificate, and the loopback address', () => {
      const [loopback] = fails(report).filter((r) => r.check === 'local.inventory');
      expect(loopback?.summary).toContain('127.0.0.1');
      const [dns] = fails(report).filter((r) => r.check === 'dns.names');
      expect(dns?.summary).toContain(MISSING);
      for (const served of fails(report).filter((r) => r.check === 'certs.served')) {
        expect(served.summary).toMatch(/expired/);
        expect(served.evidence.join('\n')).toMatch(/notAfter|expired/i);
      }
    });

    it('the support bundle is 0600 and holds no value of secrets.yaml in any file', () => {
      expect(statSync(bundle()).mode & 0o777).toBe(0o600);
      const out = mkdtempSync(join(tmpdir(), 'wil-doctor-bundle-'));
      execFileSync('tar', ['xzf', bundle(), '-C', out]);
      const files: string[] = [];
      const walk = (path: string) => {
        for (const entry of readdirSync(path, { withFileTypes: true })) {
          const full = join(path, entry.name);
          if (entry.isDirectory()) walk(full);
          else files.push(full);
        }
      };
      walk(out);
      expect(files.some((file) => file.endsWith('report.json'))).toBe(true);
      expect(files.some((file) => file.endsWith('/inventory.yaml'))).toBe(true);
      expect(files.some((file) => file.includes(`facts/${HOSTS[0]?.name}.json`))).toBe(true);
      for (const file of files) {
        const text = readFileSync(file, 'utf8');
        for (const secret of secrets) expect(text.includes(secret), `${file} holds a secret`).toBe(false);
      }
    });
  });
});
