import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shellQuote } from '../../src/hosts/become.js';
import type { WireSecrets } from '../../src/secrets/generate.js';
import { standInBundle } from '../support/bundle.js';
import { standInMinioFiles } from '../support/stand-in-minio.js';
import { finished, type LabRun, type LabWorkspace, labWorkspaceWithBundle, started } from './lab-cli.js';
import { labHosts } from './lab-hosts.js';
import { freshHosts } from './lab-reset.js';
import { ALLOW, onHost, runWireCli, withSecrets } from './wire-lab.js';

/**
 * MinIO on the lab's three minio hosts through bin/wire-install, with a stand-in bundle whose
 * binaries.tar holds LAB STAND-IN minio and mc builds (test/support/stand-in-minio.ts: python3
 * scripts that read the environment files, refuse unknown keys and keep buckets, users and
 * policies in the drive). Two instances per host from the asset host's files, Wire's buckets and
 * the cargohold user limited to assets; a second apply changes nothing; no MinIO key from
 * secrets.yaml shows in the output or the debug log; a stopped instance fails the health check,
 * named in its finding.
 */

const HOSTS = labHosts().slice(0, 5);
const NODES = HOSTS.slice(0, 3);
const STEPS = 'databases.minio-install,databases.minio-buckets,databases.minio-health';
const MC = 'set -a && . /etc/wire-install/minio/mc.env && set +a && /usr/local/bin/mc';

const reset = () => freshHosts(HOSTS);

const bundle = standInBundle(standInMinioFiles());
let workspace: LabWorkspace;
let secrets: WireSecrets;
const runs: LabRun[] = [];

const apply = async (only: string, ...extra: string[]) => {
  const run = await runWireCli(workspace, ['apply', '--only', only, ...ALLOW, '--json', ...extra]);
  runs.push(run);
  return run;
};
const output = (run: LabRun) => `${run.stderr}\n${run.stdout.slice(-4000)}`;
const onFirst = (command: string, stdin?: string) => onHost(NODES[0], `sh -c ${shellQuote(command)}`, stdin);

beforeAll(async () => {
  await reset();
  workspace = labWorkspaceWithBundle(5, bundle);
  secrets = await withSecrets(workspace);
}, 120_000);
afterAll(reset, 120_000);

describe('MinIO on the lab', () => {
  it('runs two instances per host, creates the buckets and the cargohold user, and the health check passes', async () => {
    // A plan before anything is installed: what cannot be checked yet is a note, not a failure.
    const plan = await apply(`preflight.ssh,assets,bootstrap-host,${STEPS}`, '--plan');
    expect(plan.exitCode, output(plan)).toBe(0);
    expect(finished(plan.events).find((e) => e.step === 'databases.minio-buckets')?.status).not.toBe(
      'failed',
    );
    const began = Date.now();
    const run = await apply(`preflight.ssh,assets,bootstrap-host,${STEPS}`);
    expect(run.exitCode, output(run)).toBe(0);
    console.log(`first apply: ${Date.now() - began} ms`);
    for (const node of NODES) {
      expect(await onHost(node, 'systemctl is-active minio-server1 minio-server2')).toBe('active\nactive\n');
      expect(
        await onHost(node, 'stat -c "%a %U" /etc/default/minio-server1 /etc/default/minio-server2'),
      ).toBe('600 root\n600 root\n');
      expect(await onHost(node, 'grep ^MINIO_OPTS /etc/default/minio-server2')).toBe(
        `MINIO_OPTS="--address ${node.address}:9092"\n`,
      );
    }
    const buckets = (await onFirst(`${MC} ls --json wire`))
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { key: string }).key);
    expect(buckets.sort()).toEqual(['assets/', 'dummy-bucket/', 'k8ssandra-backups/', 'public/']);
    expect(await onFirst(`${MC} anonymous get --json wire/public`)).toContain('"permission": "download"');
    // The cargohold user signs in with its keys (secret on stdin) and may list assets only.
    const asCargohold = (bucket: string) =>
      onFirst(
        `. /etc/wire-install/minio/mc.env && read -r key && MC_HOST_c="http://$CARGOHOLD_ACCESS_KEY:$key@${NODES[0]?.address}:9000" /usr/local/bin/mc ls c/${bucket} >/dev/null 2>&1 && echo allowed || echo refused`,
        `${secrets.minio.cargoholdSecretKey}\n`,
      );
    expect(await asCargohold('assets')).toBe('allowed\n');
    expect(await asCargohold('public')).toBe('refused\n');
    const health = finished(run.events).find((e) => e.step === 'databases.minio-health');
    expect(health).toMatchObject({ host: NODES[0]?.name, status: 'unchanged' });
  }, 180_000);

  it('changes nothing on a second apply, and checks the drives again', async () => {
    // Forced: every operation looks at the hosts again instead of trusting the checkpoint.
    const run = await apply(
      `preflight.ssh,${STEPS}`,
      '--force',
      'databases.minio-install,databases.minio-buckets',
    );
    expect(run.exitCode, output(run)).toBe(0);
    const minio = finished(run.events).filter((e) => e.step.startsWith('databases.minio'));
    expect(minio.filter((e) => e.status !== 'unchanged')).toEqual([]);
    expect(started(run.events).map((e) => e.step)).toContain('databases.minio-health');
  }, 90_000);

  it('rewrites an environment file changed by hand and restarts that instance only', async () => {
    const node = NODES[1];
    const since = (unit: string) =>
      onHost(node, `systemctl show -p ActiveEnterTimestampMonotonic --value ${unit}`);
    const before = [await since('minio-server1'), await since('minio-server2')];
    await onHost(node, 'echo MINIO_ROOT_PASSWORD=changed-by-hand >> /etc/default/minio-server1');
    // Forced: unforced, the checkpoint of the last run would skip the step (its inputs are the same).
    const run = await apply('preflight.ssh,databases.minio-install', '--force', 'databases.minio-install');
    expect(run.exitCode, output(run)).toBe(0);
    const step = finished(run.events).find(
      (e) => e.step === 'databases.minio-install' && e.host === node?.name,
    );
    expect(step?.changes).toEqual([
      'update /etc/default/minio-server1 (content)',
      'restart minio-server1.service (/etc/default/minio-server1 changed)',
    ]);
    expect(await onHost(node, 'grep -c changed-by-hand /etc/default/minio-server1 || true')).toBe('0\n');
    expect(await since('minio-server1')).not.toBe(before[0]);
    expect(await since('minio-server2')).toBe(before[1]);
  }, 90_000);

  it('fails the health check when an instance is stopped, naming it', async () => {
    const stopped = NODES[2];
    await onHost(stopped, 'systemctl stop minio-server2');
    const run = await apply('preflight.ssh,databases.minio-health');
    expect(run.exitCode).not.toBe(0);
    expect(finished(run.events).find((e) => e.step === 'databases.minio-health')?.status).toBe('failed');
    expect(output(run)).toContain(`${stopped?.name} ${stopped?.address}:9092: offline`);
    await onHost(stopped, 'systemctl start minio-server2');
  }, 90_000);

  it('shows no MinIO key in any output or debug log', () => {
    const logs = join(workspace.dir, '.wire-install', 'logs');
    const texts = [
      ...runs.flatMap((run) => [run.stdout, run.stderr]),
      ...readdirSync(logs).map((name) => readFileSync(join(logs, name), 'utf8')),
    ];
    expect(texts.join('').length).toBeGreaterThan(1000);
    for (const secret of Object.values(secrets.minio))
      for (const text of texts) expect(text.includes(secret)).toBe(false);
  });
});
