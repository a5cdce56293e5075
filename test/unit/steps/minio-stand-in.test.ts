import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cargoholdPolicy } from '../../../src/wire/minio.js';
import {
  MC_ADMIN_INFO,
  MC_ADMIN_POLICY_INFO,
  MC_ADMIN_USER_LIST,
  MC_ANONYMOUS_GET,
  MC_LS,
} from '../../support/mc-json.js';

/**
 * The lab's stand-ins for MinIO and mc (test/support/stand-ins/) print what the bundle's mc
 * prints (test/support/mc-json.ts): run here on loopback, each --json record of the stand-in
 * mc has no field real mc does not print, and has the fields wire-install reads.
 * docs/wire/deployment-sources.md#minio-and-mc
 */
const STAND_INS = new URL('../../support/stand-ins/', import.meta.url).pathname;
const ROOT = { user: 'standinroot', password: 'standin-root-password' };
let server: ChildProcess;
let env: NodeJS.ProcessEnv;

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

const mc = (args: string[], input?: string) =>
  execFileSync('python3', [join(STAND_INS, 'mc.py'), ...args], { env, input, encoding: 'utf8' });
const records = (text: string) =>
  text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
const record = (text: string) => records(text)[0] ?? {};

/** Every field of the stand-in's record is one real mc prints; the fields wire-install reads are in both. */
function expectShape(standIn: object, real: object, read: string[]) {
  expect(Object.keys(standIn).filter((key) => !(key in real))).toEqual([]);
  for (const key of read) {
    expect(standIn).toHaveProperty(key);
    expect(real).toHaveProperty(key);
  }
}

beforeAll(async () => {
  const port = await freePort();
  const drive = mkdtempSync(join(tmpdir(), 'wil-minio-drive-'));
  const address = `127.0.0.1:${port}`;
  server = spawn(
    'python3',
    [join(STAND_INS, 'minio.py'), 'server', '--address', address, `http://${address}${drive}`],
    {
      env: { ...process.env, MINIO_ROOT_USER: ROOT.user, MINIO_ROOT_PASSWORD: ROOT.password },
      stdio: 'ignore',
    },
  );
  env = { ...process.env, MC_HOST_wire: `http://${ROOT.user}:${ROOT.password}@${address}` };
  for (let i = 0; i < 50; i++) {
    const up = await fetch(`http://${address}/minio/health/live`).then(
      (answer) => answer.ok,
      () => false,
    );
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the stand-in MinIO did not start');
});
afterAll(() => {
  server?.kill();
});

describe('the stand-in mc prints the JSON of mc RELEASE.2023-10-24T05-18-28Z', () => {
  it('ls --json (buckets)', () => {
    mc(['mb', 'wire/assets']);
    mc(['mb', 'wire/public']);
    const listed = records(mc(['ls', '--json', 'wire']));
    expect(listed.map((line) => line.key)).toEqual(['assets/', 'public/']);
    for (const line of listed) expectShape(line, record(MC_LS(['assets'])), ['status', 'type', 'key']);
    expect(Object.keys(listed[0] ?? {}).sort()).toEqual(Object.keys(record(MC_LS(['assets']))).sort());
  });

  it('anonymous get --json', () => {
    expectShape(
      record(mc(['anonymous', 'get', '--json', 'wire/public'])),
      record(MC_ANONYMOUS_GET('private')),
      ['permission'],
    );
    mc(['anonymous', 'set', 'download', 'wire/public']);
    const answer = record(mc(['anonymous', 'get', '--json', 'wire/public']));
    expect(answer.permission).toBe('download');
    expectShape(answer, record(MC_ANONYMOUS_GET('download')), ['operation', 'bucket', 'permission']);
  });

  it('admin policy info --json', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wil-policy-')), 'policy.json');
    writeFileSync(file, cargoholdPolicy());
    mc(['admin', 'policy', 'create', 'wire', 'cargohold-assets', file]);
    const info = record(mc(['admin', 'policy', 'info', 'wire', 'cargohold-assets', '--json']));
    const real = record(MC_ADMIN_POLICY_INFO('cargohold-assets', JSON.parse(cargoholdPolicy())));
    expectShape(info, real, ['policyInfo']);
    expectShape(info.policyInfo as object, real.policyInfo as object, ['PolicyName', 'Policy']);
  });

  it('admin user list --json: policyName only once a policy is attached', () => {
    mc(['admin', 'user', 'add', 'wire'], 'cargoholdkey\ncargohold-secret-key\n');
    const before = record(mc(['admin', 'user', 'list', '--json', 'wire']));
    expect(Object.keys(before).sort()).toEqual(
      Object.keys(record(MC_ADMIN_USER_LIST([{ accessKey: 'k' }]))).sort(),
    );
    mc(['admin', 'policy', 'attach', 'wire', 'cargohold-assets', '--user', 'cargoholdkey']);
    const after = record(mc(['admin', 'user', 'list', '--json', 'wire']));
    expect(after).toMatchObject({ accessKey: 'cargoholdkey', policyName: 'cargohold-assets' });
    expect(Object.keys(after).sort()).toEqual(
      Object.keys(record(MC_ADMIN_USER_LIST([{ accessKey: 'k', policyName: 'p' }]))).sort(),
    );
  });

  it('admin info --json: servers and drives', () => {
    const info = record(mc(['admin', 'info', '--json', 'wire']));
    const real = record(MC_ADMIN_INFO([{ endpoint: '10.0.0.1:9000', state: 'online', drive: '/d' }]));
    expectShape(info, real, ['status', 'info']);
    const [standInInfo, realInfo] = [info.info, real.info] as { servers: Record<string, unknown>[] }[];
    expectShape(standInInfo ?? {}, realInfo ?? {}, ['servers']);
    const [server, realServer] = [standInInfo?.servers[0], realInfo?.servers[0]];
    expectShape(server ?? {}, realServer ?? {}, ['endpoint', 'state', 'drives']);
    const [drive, realDrive] = [server?.drives, realServer?.drives].map(
      (drives) => (drives as Record<string, unknown>[])[0] ?? {},
    );
    expectShape(drive ?? {}, realDrive ?? {}, ['endpoint', 'state']);
    expect(server).toMatchObject({ state: 'online', drives: [{ state: 'ok' }] });
  });
});
