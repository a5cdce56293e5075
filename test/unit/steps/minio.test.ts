import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ExecOptions, RemoteHost } from '../../../src/hosts/types.js';
import type { Operation } from '../../../src/operations/types.js';
import { generateSecrets } from '../../../src/secrets/generate.js';
import { minioBuckets } from '../../../src/steps/databases/minio/buckets.js';
import { minioHealth } from '../../../src/steps/databases/minio/health.js';
import { minioInstall } from '../../../src/steps/databases/minio/install.js';
import { renderTemplateFile } from '../../../src/templates/load.js';
import { cargoholdPolicy, MINIO_INSTANCES, minioEnvValues, minioVolumes } from '../../../src/wire/minio.js';
import { production } from '../../support/inventories.js';
import {
  MC_ADMIN_INFO,
  MC_ADMIN_POLICY_INFO,
  MC_ADMIN_USER_LIST,
  MC_ANONYMOUS_GET,
  MC_LS,
} from '../../support/mc-json.js';
import { fakeContext } from '../operations/fake-host.js';

/** What the MinIO steps write and run, for Wire's three data nodes (docs/wire/install-sequences.md#minio-install, docs/wire/charts-values-secrets.md#secrets, docs/wire/health-and-ports.md#ports-and-firewall). */

const inventory = production();
const secrets = generateSecrets();
const SECRETS = Object.values(secrets.minio);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const install = (name: string) => minioInstall(inventory, name, { bundleRoot: undefined }, secrets);
const env = (name: string, instance: number) =>
  renderTemplateFile('minio/minio-server.env', minioEnvValues(inventory, name, instance, secrets));

describe('the two instances per host', () => {
  it('form one deployment over every host drive of both instances (:9000 and :9092)', () => {
    expect(minioVolumes(inventory).split(' ')).toEqual([
      'http://192.168.122.31:9000/var/lib/minio-server1',
      'http://192.168.122.32:9000/var/lib/minio-server1',
      'http://192.168.122.33:9000/var/lib/minio-server1',
      'http://192.168.122.31:9092/var/lib/minio-server2',
      'http://192.168.122.32:9092/var/lib/minio-server2',
      'http://192.168.122.33:9092/var/lib/minio-server2',
    ]);
  });

  it('each listen on the private address, with the root keys from secrets.yaml in a 0600 file', () => {
    const text = env('datanode2', 2);
    expect(text).toContain(`MINIO_VOLUMES="${minioVolumes(inventory)}"`);
    expect(text).toContain('MINIO_OPTS="--address 192.168.122.32:9092"');
    expect(text).toContain(`MINIO_ROOT_USER=${secrets.minio.rootUser}\n`);
    expect(text).toContain(`MINIO_ROOT_PASSWORD=${secrets.minio.rootPassword}\n`);
    const file = install('datanode2').find((op) => op.target === '/etc/default/minio-server2');
    expect(file?.inputs).toMatchObject({ sha256: sha256(text), mode: '600', owner: 'root' });
  });

  it('run as minio-user from systemd units that read the environment files and restart when they change', () => {
    const unit = renderTemplateFile('minio/minio-server.service', { instance: '1', port: '9000' });
    expect(unit).toContain('EnvironmentFile=/etc/default/minio-server1\n');
    expect(unit).toContain('ExecStart=/usr/local/bin/minio server $MINIO_OPTS $MINIO_VOLUMES\n');
    expect(unit).toContain('User=minio-user\n');
    const units = install('datanode1').filter((op) => op.kind === 'systemd-unit');
    expect(units.map((op) => op.inputs)).toEqual([
      expect.objectContaining({
        unit: 'minio-server1.service',
        running: true,
        restartWhenChanged: expect.arrayContaining(['/etc/default/minio-server1']),
      }),
      expect.objectContaining({
        unit: 'minio-server2.service',
        running: true,
        restartWhenChanged: expect.arrayContaining(['/etc/default/minio-server2']),
      }),
    ]);
    const drive = install('datanode1').find((op) => op.target === '/var/lib/minio-server2');
    expect(drive?.inputs).toMatchObject({ owner: 'minio-user', mode: '750' });
  });
});

describe('the cargohold policy', () => {
  it('allows the assets bucket and nothing else (docs/wire/upgrades.md#version-notes, #version-523)', () => {
    const policy = JSON.parse(cargoholdPolicy()) as { Statement: { Resource: string[] }[] };
    expect(policy.Statement.flatMap((s) => s.Resource).sort()).toEqual([
      'arn:aws:s3:::assets',
      'arn:aws:s3:::assets/*',
    ]);
  });
});

/** A host where MinIO runs but has nothing yet; records each command with its stdin. */
function emptyMinioHost() {
  const calls: { command: string; stdin: string }[] = [];
  const host: RemoteHost = {
    name: 'datanode1',
    async exec(command: string, options?: ExecOptions) {
      calls.push({ command, stdin: String(options?.stdin ?? '') });
      const answer = (stdout: string, exitCode = 0) => ({ stdout, stderr: '', exitCode });
      if (command.includes('admin policy info')) return answer('', 1);
      if (command.includes('anonymous get')) return answer('{"status":"success","permission":"private"}');
      // applyFile's inspection and write in one command: no file there, so it was written.
      if (command.includes('wire-install-inspected')) return answer('wire-install-inspected\n');
      return answer('');
    },
    close() {},
  };
  return { host, calls };
}

describe('secrets', () => {
  const all = (): Operation[] => [
    ...['datanode1', 'datanode2', 'datanode3'].flatMap((name) => install(name)),
    ...minioBuckets(inventory, 'datanode1', secrets),
    ...minioHealth(inventory, secrets),
  ];

  it('never appear in clear in an operation (kind, target, inputs)', () => {
    const text = JSON.stringify(all().map((op) => [op.kind, op.target, op.inputs]));
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('never appear on a command line: the user keys go on stdin, the rest is sourced from a 0600 file', async () => {
    const { host, calls } = emptyMinioHost();
    const context = fakeContext(host);
    const changes: string[] = [];
    for (const op of minioBuckets(inventory, 'datanode1', secrets))
      changes.push(...(await op.apply(context)).changes);
    for (const { command } of calls) for (const secret of SECRETS) expect(command).not.toContain(secret);
    const add = calls.find((call) => call.command.includes('admin user add'));
    expect(add?.stdin).toBe(`${secrets.minio.cargoholdAccessKey}\n${secrets.minio.cargoholdSecretKey}\n`);
    const envWrite = calls.find((call) => call.stdin.includes('MC_HOST_wire='));
    expect(envWrite?.command).toContain('chmod 600');
    // What is missing is named, one change each.
    expect(changes).toEqual(
      expect.arrayContaining([
        'create bucket dummy-bucket',
        'create bucket assets',
        'create bucket public',
        'create bucket k8ssandra-backups',
        'allow anonymous download from bucket public',
        'create policy cargohold-assets (bucket assets only)',
        'create the cargohold user (access key from secrets.yaml)',
        'attach policy cargohold-assets to the cargohold user',
      ]),
    );
  });
});

describe('a plan before MinIO runs', () => {
  it('says what the buckets step will set up instead of failing', async () => {
    const calls: string[] = [];
    const host: RemoteHost = {
      name: 'datanode1',
      async exec(command: string) {
        calls.push(command);
        // Nothing installed: no file, no unit.
        return { stdout: '', stderr: '', exitCode: command.includes('systemctl is-active') ? 3 : 0 };
      },
      close() {},
    };
    const changes: string[] = [];
    const notes: string[] = [];
    for (const op of minioBuckets(inventory, 'datanode1', secrets).slice(3)) {
      const outcome = await op.check(fakeContext(host));
      changes.push(...outcome.changes);
      notes.push(...outcome.notes);
    }
    expect(changes).toContain('set up dummy-bucket, assets, public, k8ssandra-backups once MinIO runs');
    expect(notes[0]).toContain('minio-server1.service is not running');
    expect(calls.some((command) => command.includes(' mb '))).toBe(false);
  });
});

describe("mc's JSON as the bundle's mc prints it (test/support/mc-json.ts)", () => {
  const servers = (offline = '') =>
    MINIO_INSTANCES.flatMap(({ instance, port }) =>
      ['192.168.122.31', '192.168.122.32', '192.168.122.33'].map((address) => ({
        endpoint: `${address}:${port}`,
        state: `${address}:${port}` === offline ? 'offline' : 'online',
        drive: `/var/lib/minio-server${instance}`,
      })),
    );
  /** MinIO running with everything set up, answering each mc command with `answers`. */
  const setUp = (answers: [RegExp, string][]) => {
    const host: RemoteHost = {
      name: 'datanode1',
      async exec(command: string) {
        const found = answers.find(([pattern]) => pattern.test(command));
        return { stdout: found?.[1] ?? '', stderr: '', exitCode: 0 };
      },
      close() {},
    };
    return fakeContext(host);
  };
  const policy = JSON.parse(cargoholdPolicy()) as unknown;
  const complete: [RegExp, string][] = [
    [/ ls --json wire/, MC_LS(['assets', 'dummy-bucket', 'k8ssandra-backups', 'public'])],
    [/anonymous get --json/, MC_ANONYMOUS_GET('download')],
    [/admin policy info/, MC_ADMIN_POLICY_INFO('cargohold-assets', policy)],
    [
      /admin user list --json/,
      MC_ADMIN_USER_LIST([
        { accessKey: 'someoneelse' },
        { accessKey: secrets.minio.cargoholdAccessKey, policyName: 'consoleAdmin,cargohold-assets' },
      ]),
    ],
    [/admin info --json/, MC_ADMIN_INFO(servers())],
  ];

  it('finds the buckets, the public policy, the cargohold policy and user: nothing to change', async () => {
    const context = setUp(complete);
    const changes: string[] = [];
    for (const op of minioBuckets(inventory, 'datanode1', secrets).slice(3))
      changes.push(...(await op.check(context)).changes);
    expect(changes).toEqual([]);
  });

  it('sees what is missing in the same records', async () => {
    const context = setUp([
      [/ ls --json wire/, MC_LS(['assets'])],
      [/anonymous get --json/, MC_ANONYMOUS_GET('private')],
      [/admin user list --json/, MC_ADMIN_USER_LIST([{ accessKey: secrets.minio.cargoholdAccessKey }])],
      ...complete,
    ]);
    const changes: string[] = [];
    for (const op of minioBuckets(inventory, 'datanode1', secrets).slice(3))
      changes.push(...(await op.check(context)).changes);
    expect(changes).toEqual([
      'create bucket dummy-bucket',
      'create bucket public',
      'create bucket k8ssandra-backups',
      'allow anonymous download from bucket public',
      'attach policy cargohold-assets to the cargohold user',
    ]);
  });

  it('reads every server and drive from admin info', async () => {
    const [health] = minioHealth(inventory, secrets);
    expect((await health?.check(setUp(complete)))?.notes).toEqual([]);
    const down = setUp([[/admin info --json/, MC_ADMIN_INFO(servers('192.168.122.32:9092'))], ...complete]);
    await expect(health?.apply(down)).rejects.toMatchObject({
      evidence: [
        expect.stringContaining(
          'datanode2 192.168.122.32:9092: offline; drive http://192.168.122.32:9092/var/lib/minio-server2: offline',
        ),
      ],
    });
  });
});
