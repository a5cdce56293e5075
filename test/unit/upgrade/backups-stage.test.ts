import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stepFingerprint } from '../../../src/engine/run-steps.js';
import type { EngineStage, StepHost } from '../../../src/engine/types.js';
import type { HostFacts } from '../../../src/hosts/facts.js';
import { ADMIN_HOST, localHost } from '../../../src/hosts/local-host.js';
import type { Operation, OperationContext } from '../../../src/operations/types.js';
import { secretValues } from '../../../src/secrets/redact.js';
import { backupScript } from '../../../src/upgrade/backups/backup-file.js';
import { cassandraSnapshotSpec } from '../../../src/upgrade/backups/cassandra.js';
import { backupStage } from '../../../src/upgrade/backups/index.js';
import { installationFilesSpec } from '../../../src/upgrade/backups/installation-files.js';
import { readBackupManifest } from '../../../src/upgrade/backups/manifest.js';
import { postgresDumpSpec } from '../../../src/upgrade/backups/postgresql.js';
import { rabbitmqDefinitionsSpec } from '../../../src/upgrade/backups/rabbitmq.js';
import type { UpgradeStageOptions } from '../../../src/upgrade/types.js';
import { demo, production } from '../../support/inventories.js';
import { testSecrets } from '../../support/test-secrets.js';

const target = { from: '5.28.0', to: '5.32.0', id: '5.28.0-to-5.32.0-20250102T030405' };

function options(inventoryDir: string, id = target.id): UpgradeStageOptions {
  return {
    allowUnsupportedOs: false,
    allowUndersized: false,
    secrets: testSecrets(),
    secretsPath: join(inventoryDir, 'secrets.yaml'),
    inventoryDir,
    dnsServer: undefined,
    bundleRoot: '/srv/bundle-5.32',
    target: { ...target, id },
  };
}

const stepHost = (name: string): StepHost => ({ name, facts: {} as HostFacts, allFacts: new Map() });

function operationsOf(stage: EngineStage, stepId: string, host: string): Operation[] {
  const step = stage.steps.find((candidate) => candidate.id === stepId);
  if (!step) throw new Error(`no step ${stepId}`);
  return step.operations(stepHost(host));
}

describe('the backup stage', () => {
  const dir = '/srv/wire';

  it('backs up the files on the admin host and each database role on its hosts (production)', () => {
    const stage = backupStage(production(), dir, options(dir));
    expect(stage.id).toBe('upgrade-backup');
    expect(stage.steps.map((step) => `${step.id} ${step.hosts.join(',')}`)).toEqual([
      `upgrade.backup-files ${ADMIN_HOST}`,
      'upgrade.backup-cassandra datanode1,datanode2,datanode3',
      'upgrade.backup-postgresql datanode1',
      'upgrade.backup-rabbitmq datanode1',
    ]);
    expect(stage.steps[0]?.admin).toBe(true);
    expect(stage.steps[1]?.order).toBe('parallel');
    expect(operationsOf(stage, 'upgrade.backup-cassandra', 'datanode2').map((op) => op.target)).toEqual([
      `/var/backups/wire-install/${target.id}/cassandra-datanode2.tar.gz`,
    ]);
  });

  it('has no database steps for a demo, whose databases run inside the cluster', () => {
    const stage = backupStage(demo(), dir, options(dir));
    expect(stage.steps.map((step) => step.id)).toEqual(['upgrade.backup-files']);
  });

  it('is fingerprinted by the upgrade id: the same upgrade resumed is current, another is not', () => {
    const print = (id: string) => {
      const stage = backupStage(production(), dir, options(dir, id));
      return stage.steps.map((step) => {
        const host = step.hosts[0] ?? '';
        return stepFingerprint(step, step.operations(stepHost(host)));
      });
    };
    expect(print(target.id)).toEqual(print(target.id));
    const other = print('5.28.0-to-5.32.0-20250103T000000');
    for (const [index, fingerprint] of print(target.id).entries()) expect(other[index]).not.toBe(fingerprint);
  });

  it('dumps PostgreSQL as the postgres user and snapshots Cassandra with the upgrade tag, no secret on any command line', () => {
    const opts = options(dir);
    const dump = backupScript(postgresDumpSpec(dir, opts));
    expect(dump).toContain('runuser -u postgres -- pg_dump -Fc -d wire-server > "$partial"');
    expect(dump).toContain('runuser -u postgres -- pg_restore --list < "$partial"');
    const snapshot = backupScript(cassandraSnapshotSpec(dir, opts, 'datanode2'));
    expect(snapshot).toContain(
      `/opt/apache-cassandra-3.11.19/bin/nodetool snapshot -t 'wire-install-${target.id}'`,
    );
    expect(snapshot).toContain("cd '/mnt/cassandra/data'");
    const definitions = backupScript(rabbitmqDefinitionsSpec(dir, opts));
    expect(definitions).toContain('rabbitmqctl export_definitions --silent - > "$partial"');
    const files = backupScript(
      installationFilesSpec(
        { inventoryDir: dir, inventoryPath: `${dir}/inventory.yaml`, secretsPath: `${dir}/secrets.yaml` },
        opts,
      ),
    );
    expect(files).toContain(
      "tar -czf \"$partial\" '--anchored' '--exclude=.wire-install/logs' '--exclude=.wire-install/backups' '--exclude=.wire-install/lock' '--exclude=.wire-install/.*.tmp' '-C' '/srv/wire' 'inventory.yaml' '.wire-install' '-C' '/srv/wire' 'secrets.yaml'",
    );
    const secrets = secretValues(testSecrets()).filter((value) => value.length >= 8);
    expect(secrets.length).toBeGreaterThan(5);
    for (const script of [dump, snapshot, definitions, files])
      for (const secret of secrets) expect(script).not.toContain(secret);
  });
});

describe('the backup script', () => {
  const id = target.id;
  const spec = (root: string, produce: string[]) => ({
    what: 'rabbitmq-definitions' as const,
    description: 'a test backup',
    dirs: [join(root, 'backups'), join(root, 'backups', id)],
    path: join(root, 'backups', id, 'probe.json'),
    produce,
    inputs: { upgrade: id },
    manifest: join(root, 'manifest.json'),
    target,
  });
  const run = (script: string) => execFileSync('bash', ['-c', script], { stdio: 'pipe' });

  it('writes the file 0600 in 0700 folders with its sha256 beside it', () => {
    const root = mkdtempSync(join(tmpdir(), 'wil-backup-'));
    const file = spec(root, ['printf "{}" > "$partial"']);
    run(backupScript(file));
    expect(readFileSync(file.path, 'utf8')).toBe('{}');
    expect(statSync(file.path).mode & 0o777).toBe(0o600);
    for (const folder of file.dirs) expect(statSync(folder).mode & 0o777).toBe(0o700);
    const sum = execFileSync('sha256sum', [file.path]).toString().split(' ')[0];
    expect(readFileSync(`${file.path}.sha256`, 'utf8')).toBe(`${sum}  probe.json\n`);
  });

  it('leaves neither the file nor a partial one when making it fails', () => {
    const root = mkdtempSync(join(tmpdir(), 'wil-backup-'));
    const file = spec(root, ['printf "half" > "$partial"', 'false']);
    expect(() => run(backupScript(file))).toThrow();
    expect(execFileSync('ls', ['-A', join(root, 'backups', id)]).toString()).toBe('');
  });
});

describe('the installation files on the admin host (real tar)', () => {
  it('archives the inventory, secrets.yaml and the state but not logs or backups, once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wil-install-files-'));
    writeFileSync(join(dir, 'inventory.yaml'), 'kind: Inventory\n');
    writeFileSync(join(dir, 'secrets.yaml'), 'postgresql: {password: x}\n', { mode: 0o600 });
    mkdirSync(join(dir, '.wire-install', 'logs'), { recursive: true });
    mkdirSync(join(dir, '.wire-install', 'values'), { recursive: true });
    writeFileSync(join(dir, '.wire-install', 'state.json'), '{}');
    writeFileSync(join(dir, '.wire-install', 'values', 'wire-server.yaml'), 'a: 1\n');
    writeFileSync(join(dir, '.wire-install', 'logs', 'apply-1.log'), 'log\n');
    const stage = backupStage(production(), dir, options(dir));
    const [operation] = operationsOf(stage, 'upgrade.backup-files', ADMIN_HOST);
    if (!operation) throw new Error('no operation');
    const context = (): OperationContext => ({
      host: localHost(),
      facts: {} as HostFacts,
      changedPaths: new Set(),
    });
    const archive = join(dir, '.wire-install', 'backups', target.id, 'installation-files.tar.gz');
    expect((await operation.check(context())).changes).toEqual([
      `write ${archive} (the inventory, secrets.yaml, state, values, releases and certificates)`,
    ]);
    const first = await operation.apply(context());
    expect(first.changes[0]).toMatch(new RegExp(`^wrote ${archive} \\(`));
    expect(statSync(archive).mode & 0o777).toBe(0o600);
    const members = execFileSync('tar', ['-tzf', archive]).toString().trim().split('\n').sort();
    expect(members).toContain('secrets.yaml');
    expect(members).toContain('inventory.yaml');
    expect(members).toContain('.wire-install/state.json');
    expect(members).toContain('.wire-install/values/wire-server.yaml');
    expect(members.filter((name) => name.includes('logs') || name.includes('backups'))).toEqual([]);
    const manifest = await readBackupManifest(
      join(dir, '.wire-install', 'backups', target.id, 'manifest.json'),
    );
    const sum = execFileSync('sha256sum', [archive]).toString().split(' ')[0];
    expect(manifest?.backups).toEqual([
      expect.objectContaining({ what: 'installation-files', host: ADMIN_HOST, path: archive, sha256: sum }),
    ]);
    // Run again (a resumed upgrade whose checkpoint was lost): the archive is kept, not rewritten.
    const before = statSync(archive).mtimeMs;
    expect((await operation.apply(context())).changes).toEqual([]);
    expect((await operation.check(context())).changes).toEqual([]);
    expect(statSync(archive).mtimeMs).toBe(before);
  });
});
