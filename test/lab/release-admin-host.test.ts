import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RemoteHost } from '../../src/hosts/types.js';
import { standInBundle } from '../support/bundle.js';
import { labInventory } from './lab-cli.js';
import { connectLabHost, LAB_KEY, LAB_KNOWN_HOSTS, type LabHost, labHosts } from './lab-hosts.js';
import { freshHosts } from './lab-reset.js';

/**
 * wire-install as an operator runs it on an air-gapped admin host that has nothing installed:
 * the single executable and helm of `npm run release` (built for this file) are copied onto a
 * lab host that has no Node.js, helm or kubectl, with a stand-in bundle whose binaries.tar
 * carries kubectl (a STAND-IN script answering like kubectl 1.29: the lab cannot run a real
 * cluster). From there: --version, init, apply --plan --offline, doctor --only local, and an
 * apply of a host-side step to every lab host over SSH, the admin host included.
 */
const REPO = join(import.meta.dirname, '../..');
const { version } = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
const HELM = `helm-3.17.2-linux-${process.arch}`;
const OPT = '/opt/wire-install';
const WORK = '/root/wire';

let release: string;
let bundle: string;
let admin: RemoteHost;
let hosts: LabHost[];

/** A file to the admin lab host over SFTP (as apply's uploads go). */
function put(local: string, remote: string): Promise<void> {
  if (!admin.putFile) throw new Error('the lab host takes no files');
  return admin.putFile(local, remote);
}

/** A command on the admin lab host, as root, with the test fence: nothing but the lab's network. */
async function onAdmin(command: string, timeoutMs = 120_000) {
  return admin.exec(`cd ${WORK} && WIRE_INSTALL_ONLY_NETWORKS=172.31.0.0/24 NO_COLOR=1 ${command}`, {
    timeoutMs,
  });
}

const STAND_IN_KUBECTL = `#!/bin/sh
# STAND-IN kubectl (the lab runs no cluster): answers version like kubectl 1.29.10.
if [ "$1" = version ]; then
  if [ "$3" = "-o" ]; then echo '{"clientVersion":{"major":"1","minor":"29","gitVersion":"v1.29.10"}}'
  else echo 'Client Version: v1.29.10'; fi
  exit 0
fi
echo "stand-in kubectl: no cluster" >&2
exit 1
`;

beforeAll(async () => {
  hosts = labHosts().slice(0, 5);
  const first = hosts[0];
  if (!first) throw new Error('the lab has no hosts');
  release = mkdtempSync(join(tmpdir(), 'wil-release-lab-'));
  await execa('node', ['scripts/release.mjs', '--out', release], { cwd: REPO });
  bundle = standInBundle({ 'binaries/kubectl': { content: STAND_IN_KUBECTL, mode: 0o755 } });
  admin = await connectLabHost(first);
  await admin.exec(
    `rm -rf ${OPT} ${WORK} && mkdir -p ${OPT} ${WORK}/bundle/charts/wire-server ${WORK}/bundle/values/wire-server /root/.ssh`,
  );
  await put(join(release, `wire-install-${version}-linux-${process.arch}`), `${OPT}/wire-install`);
  await put(join(release, HELM), `${OPT}/${HELM}`);
  await admin.exec(`chmod 0755 ${OPT}/wire-install ${OPT}/${HELM}`);
  for (const file of ['binaries.tar', 'debs-jammy.tar', 'containers-system.tar', 'containers-helm.tar'])
    await put(join(bundle, file), `${WORK}/bundle/${file}`);
  await put(join(bundle, 'charts/wire-server/Chart.yaml'), `${WORK}/bundle/charts/wire-server/Chart.yaml`);
  await put(
    join(bundle, 'values/wire-server/prod-values.example.yaml'),
    `${WORK}/bundle/values/wire-server/prod-values.example.yaml`,
  );
  // The admin host reaches the others with the lab's key and knows their host keys, as an operator's would.
  await put(LAB_KEY, '/root/.ssh/wire-lab-key');
  await put(LAB_KNOWN_HOSTS, '/root/.ssh/known_hosts');
  await admin.exec('chmod 0600 /root/.ssh/wire-lab-key');
  const inventory = join(release, 'inventory.yaml');
  writeFileSync(
    inventory,
    labInventory(5)
      .replace(`identityFile: ${LAB_KEY}`, 'identityFile: /root/.ssh/wire-lab-key')
      .replace('bundle:\n', 'bundle:\n  path: bundle\n'),
  );
  await put(inventory, `${WORK}/inventory.yaml`);
}, 240_000);

afterAll(async () => {
  await admin?.exec(`rm -rf ${OPT} ${WORK} /root/init /root/.ssh/wire-lab-key /root/.ssh/known_hosts`);
  admin?.close();
  if (hosts) await freshHosts(hosts);
  for (const dir of [release, bundle]) if (dir) rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('the release on an admin host with nothing installed', () => {
  it('the host has no Node.js, helm or kubectl', async () => {
    const result = await admin.exec('command -v node nodejs npm helm kubectl || echo none');
    expect(result.stdout.trim()).toBe('none');
  });

  it('--version names the release, its own Node.js and the Wire releases it knows', async () => {
    const result = await onAdmin(`${OPT}/wire-install --version`);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain(`wire-install ${version}\nNode.js v24.`);
    expect(result.stdout).toContain('Wire upgrade notes: 5.8 to 5.30');
  });

  it('init --non-interactive writes the inventory, secrets.yaml and the schema the inventory names', async () => {
    const result = await admin.exec(
      `mkdir -p /root/init && cd /root/init && NO_COLOR=1 ${OPT}/wire-install init --non-interactive --mode demo --domain wire.lab.test --certificates self-signed --host name=demo,address=172.31.0.250,cpus=16,memory=16,disk=200`,
    );
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    const files = await admin.exec(
      'cd /root/init && stat -c "%a %n" inventory.yaml secrets.yaml .wire-install/inventory.schema.json && head -3 inventory.yaml',
    );
    expect(files.stdout).toContain('600 secrets.yaml');
    expect(files.stdout).toContain('.wire-install/inventory.schema.json');
    expect(files.stdout).toContain('yaml-language-server: $schema=./.wire-install/inventory.schema.json');
  });

  it('apply --plan --offline shows the staged plan of the inventory, contacting nothing', async () => {
    const result = await onAdmin(`${OPT}/wire-install apply --plan --offline -i inventory.yaml`);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('bootstrap-host.etc-hosts');
    expect(result.stdout).toContain('workloads.wire-server');
  });

  it("doctor --only local: helm shipped with wire-install and the bundle's kubectl, unpacked and checked", async () => {
    const result = await onAdmin(`${OPT}/wire-install doctor --only local -i inventory.yaml --json`);
    const report = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as {
      results: { check: string; status: string; evidence: string[] }[];
    };
    const tools = report.results.find((entry) => entry.check === 'local.tools' && entry.status === 'pass');
    expect(tools?.evidence).toEqual(
      expect.arrayContaining([
        'helm v3.17.2+gcc0bbbd',
        'kubectl Client Version: v1.29.10',
        `helm: ${OPT}/${HELM} (shipped with wire-install)`,
        expect.stringMatching(
          new RegExp(
            `^kubectl: ${WORK}/\\.wire-install/bin/kubectl-from-bundle \\(the bundle's binaries\\.tar \\(binaries/kubectl, sha256 [0-9a-f]{12}…\\)\\)$`,
          ),
        ),
      ]),
    );
  });

  it('apply from this host: a host-side step on every lab host over SSH, preflight naming the tools it uses', async () => {
    const result = await onAdmin(
      `${OPT}/wire-install apply -i inventory.yaml --only preflight.admin-tools,bootstrap-host.etc-hosts --allow-unsupported-os --allow-undersized --json`,
      240_000,
    );
    expect(result.exitCode, `${result.stdout.slice(-2000)}\n${result.stderr}`).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as {
            type: string;
            step?: string;
            host?: string;
            notes?: string[];
            status?: string;
          },
      );
    const etcHosts = events.filter(
      (event) => event.type === 'step-finished' && event.step === 'bootstrap-host.etc-hosts',
    );
    expect(etcHosts.map((event) => event.host).sort()).toEqual(hosts.map((host) => host.name).sort());
    const tools = events.find(
      (event) => event.type === 'step-finished' && event.step === 'preflight.admin-tools',
    );
    expect(tools?.notes).toEqual(
      expect.arrayContaining([
        `helm: ${OPT}/${HELM} (shipped with wire-install)`,
        expect.stringContaining('kubectl-from-bundle'),
      ]),
    );
    // The change is real on the other hosts: the block wire-install manages in /etc/hosts.
    const other = await connectLabHost(hosts[1] as LabHost);
    try {
      expect((await other.exec('cat /etc/hosts')).stdout).toContain('# BEGIN wire-install hosts');
    } finally {
      other.close();
    }
  }, 300_000);
});
