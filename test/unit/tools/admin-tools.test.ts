import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWireInstallError } from '../../../src/core/errors.js';
import { BIN_DIR, prepareAdminTools } from '../../../src/tools/admin-tools.js';

/**
 * Which helm and kubectl the admin host's commands use. Real files, a real binaries.tar (made
 * with tar) and real processes; kubectl and helm themselves are STAND-INS (shell scripts that
 * answer `version` like the real ones): the real binaries are not needed to choose between
 * copies.
 */
let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'wire-admin-tools-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
function folder(name: string): string {
  count += 1;
  const dir = join(root, `${count}-${name}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A stand-in kubectl answering `version --client -o json` with the given minor version. */
function standInKubectl(dir: string, minor: number, name = 'kubectl'): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `#!/bin/sh\necho '{"clientVersion":{"major":"1","minor":"${minor}","gitVersion":"v1.${minor}.3"}}'\n`,
  );
  chmodSync(path, 0o755);
  return path;
}

/** A bundle folder whose binaries.tar carries binaries/kubectl (a stand-in at 1.29, as Wire's bundle has 1.29.10). */
function bundleWithKubectl(): string {
  const bundle = folder('bundle');
  const staging = join(bundle, 'staging', 'binaries');
  mkdirSync(staging, { recursive: true });
  standInKubectl(staging, 29);
  writeFileSync(join(staging, 'other'), 'x');
  execFileSync('tar', ['-cf', join(bundle, 'binaries.tar'), '-C', join(bundle, 'staging'), 'binaries']);
  return bundle;
}

const which = async (tool: string, env: NodeJS.ProcessEnv) =>
  (
    await execa('sh', ['-c', `command -v ${tool} && ${tool} version --client -o json`], {
      env,
      extendEnv: false,
    })
  ).stdout;

describe('helm and kubectl for the admin host', () => {
  it('kubectl on PATH within one minor version of the bundle is used as it is', async () => {
    const pathDir = folder('path');
    standInKubectl(pathDir, 30);
    const tools = await prepareAdminTools({
      inventoryDir: folder('inventory'),
      bundleRoot: bundleWithKubectl(),
      env: { PATH: `${pathDir}:/usr/bin:/bin` },
    });
    expect(tools.choices.find((choice) => choice.tool === 'kubectl')).toEqual({
      tool: 'kubectl',
      path: join(pathDir, 'kubectl'),
      origin: 'on PATH',
    });
    expect(await which('kubectl', tools.env)).toContain(join(pathDir, 'kubectl'));
  });

  it("no kubectl on PATH: the bundle's, unpacked into .wire-install/bin with its sha256, first on the PATH", async () => {
    const inventoryDir = folder('inventory');
    const bundle = bundleWithKubectl();
    const tools = await prepareAdminTools({
      inventoryDir,
      bundleRoot: bundle,
      env: { PATH: '/usr/bin:/bin' },
    });
    const binDir = join(inventoryDir, BIN_DIR);
    const kubectl = tools.choices.find((choice) => choice.tool === 'kubectl');
    expect(kubectl?.path).toBe(join(binDir, 'kubectl-from-bundle'));
    const expected = execFileSync('sh', [
      '-c',
      `tar -xOf ${bundle}/binaries.tar binaries/kubectl | sha256sum`,
    ])
      .toString()
      .split(' ')[0];
    expect(kubectl?.origin).toContain(`sha256 ${expected?.slice(0, 12)}`);
    // Linked from this process's own folder, first on the PATH of the admin host's commands.
    expect(readlinkSync(join(tools.linkDir, 'kubectl'))).toBe(kubectl?.path);
    expect(tools.env.PATH?.split(':')[0]).toBe(tools.linkDir);
    expect(await which('kubectl', tools.env)).toContain(`${tools.linkDir}/kubectl`);
    expect(await which('kubectl', tools.env)).toContain('"minor":"29"');
  });

  it("a kubectl too far from the bundle's Kubernetes gives way to the bundle's; the next run finds PATH's good one again", async () => {
    const inventoryDir = folder('inventory');
    const bundle = bundleWithKubectl();
    const pathDir = folder('path');
    standInKubectl(pathDir, 25);
    const first = await prepareAdminTools({
      inventoryDir,
      bundleRoot: bundle,
      env: { PATH: `${pathDir}:/usr/bin:/bin` },
    });
    const kubectl = first.choices.find((choice) => choice.tool === 'kubectl');
    expect(kubectl?.origin).toContain(`instead of ${join(pathDir, 'kubectl')} (1.25)`);
    standInKubectl(pathDir, 29);
    const second = await prepareAdminTools({
      inventoryDir,
      bundleRoot: bundle,
      env: { PATH: `${pathDir}:/usr/bin:/bin` },
    });
    expect(second.choices.find((choice) => choice.tool === 'kubectl')?.origin).toBe('on PATH');
    // Our link is gone, so PATH's kubectl is the one the commands find.
    expect(() => lstatSync(join(second.linkDir, 'kubectl'))).toThrow();
    expect(await which('kubectl', second.env)).toContain(join(pathDir, 'kubectl'));
  });

  it('the unpacked kubectl is checked on every run: a changed file is unpacked again from the bundle', async () => {
    const inventoryDir = folder('inventory');
    const bundle = bundleWithKubectl();
    const env = { PATH: '/usr/bin:/bin' };
    const first = await prepareAdminTools({ inventoryDir, bundleRoot: bundle, env });
    const path = first.choices.find((choice) => choice.tool === 'kubectl')?.path as string;
    const original = readFileSync(path, 'utf8');
    writeFileSync(path, '#!/bin/sh\necho tampered\n');
    await prepareAdminTools({ inventoryDir, bundleRoot: bundle, env });
    expect(readFileSync(path, 'utf8')).toBe(original);
  });

  it('the single executable uses the helm shipped beside it; WIRE_INSTALL_HELM wins over both', async () => {
    const release = folder('release');
    writeFileSync(join(release, 'wire-install-0.1.0-linux-x64'), '');
    const shipped = join(release, `helm-3.17.2-linux-${process.arch}`);
    writeFileSync(shipped, '#!/bin/sh\necho v3.17.2\n');
    chmodSync(shipped, 0o755);
    const pathDir = folder('path');
    writeFileSync(join(pathDir, 'helm'), '#!/bin/sh\necho v3.9.0\n');
    chmodSync(join(pathDir, 'helm'), 0o755);
    const options = {
      inventoryDir: folder('inventory'),
      bundleRoot: undefined,
      execPath: join(release, 'wire-install-0.1.0-linux-x64'),
      singleExecutable: true,
    };
    const tools = await prepareAdminTools({ ...options, env: { PATH: `${pathDir}:/usr/bin:/bin` } });
    expect(tools.choices[0]).toEqual({ tool: 'helm', path: shipped, origin: 'shipped with wire-install' });
    expect((await execa('sh', ['-c', 'helm'], { env: tools.env, extendEnv: false })).stdout).toBe('v3.17.2');
    const overridden = await prepareAdminTools({
      ...options,
      env: { PATH: `${pathDir}:/usr/bin:/bin`, WIRE_INSTALL_HELM: join(pathDir, 'helm') },
    });
    expect(overridden.choices[0]?.origin).toBe('WIRE_INSTALL_HELM');
    // From an npm install (not the single executable), PATH's helm.
    const npm = await prepareAdminTools({
      ...options,
      singleExecutable: false,
      env: { PATH: `${pathDir}:/usr/bin:/bin` },
    });
    expect(npm.choices[0]).toMatchObject({ path: join(pathDir, 'helm'), origin: 'on PATH' });
  });

  it('refuses to replace what is not its own in .wire-install/bin: a directory where the unpacked kubectl goes, or a linked folder', async () => {
    const inventoryDir = folder('inventory');
    mkdirSync(join(inventoryDir, BIN_DIR, 'kubectl-from-bundle'), { recursive: true });
    const error = await prepareAdminTools({
      inventoryDir,
      bundleRoot: bundleWithKubectl(),
      env: { PATH: '/usr/bin:/bin' },
    }).catch((caught: unknown) => caught);
    expect(isWireInstallError(error) && error.what).toContain(
      `${join(inventoryDir, BIN_DIR, 'kubectl-from-bundle')} is not a file wire-install made (it is a directory)`,
    );

    const linked = folder('inventory');
    mkdirSync(join(linked, '.wire-install'));
    const elsewhere = folder('elsewhere');
    execFileSync('ln', ['-s', elsewhere, join(linked, BIN_DIR)]);
    const refused = await prepareAdminTools({
      inventoryDir: linked,
      bundleRoot: bundleWithKubectl(),
      env: { PATH: '/usr/bin:/bin' },
    }).catch((caught: unknown) => caught);
    expect(isWireInstallError(refused) && refused.what).toContain('is a symbolic link');
  });

  it("a bundle kubectl that does not run here (another architecture) is not used: PATH's, out of skew, stays", async () => {
    const bundle = folder('bundle');
    mkdirSync(join(bundle, 'staging', 'binaries'), { recursive: true });
    writeFileSync(
      join(bundle, 'staging', 'binaries', 'kubectl'),
      Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]),
      {
        mode: 0o755,
      },
    );
    execFileSync('tar', ['-cf', join(bundle, 'binaries.tar'), '-C', join(bundle, 'staging'), 'binaries']);
    const pathDir = folder('path');
    standInKubectl(pathDir, 25);
    const inventoryDir = folder('inventory');
    const tools = await prepareAdminTools({
      inventoryDir,
      bundleRoot: bundle,
      env: { PATH: `${pathDir}:/usr/bin:/bin` },
    });
    expect(tools.choices.find((choice) => choice.tool === 'kubectl')).toMatchObject({
      path: join(pathDir, 'kubectl'),
      origin: 'on PATH',
    });
    expect(() => lstatSync(join(inventoryDir, BIN_DIR, 'kubectl-from-bundle'))).toThrow();
  });

  it('kubernetes: existing takes kubectl on PATH whatever its version; an override that is no executable is bad input', async () => {
    const pathDir = folder('path');
    standInKubectl(pathDir, 31);
    const options = { inventoryDir: folder('inventory'), bundleRoot: bundleWithKubectl() };
    const existing = await prepareAdminTools({
      ...options,
      existingCluster: true,
      env: { PATH: `${pathDir}:/usr/bin:/bin` },
    });
    expect(existing.choices[1]).toMatchObject({ path: join(pathDir, 'kubectl'), origin: 'on PATH' });
    const bad = await prepareAdminTools({
      ...options,
      env: { PATH: '/usr/bin:/bin', WIRE_INSTALL_KUBECTL: 'no/such/kubectl' },
    }).catch((caught: unknown) => caught);
    expect(isWireInstallError(bad) && bad.what).toBe(
      'WIRE_INSTALL_KUBECTL=no/such/kubectl is not an executable file',
    );
  });

  it('two runs unpacking at once both end with a whole, checked kubectl', async () => {
    const inventoryDir = folder('inventory');
    const bundle = bundleWithKubectl();
    const [first, second] = await Promise.all(
      [1, 2].map(() =>
        prepareAdminTools({ inventoryDir, bundleRoot: bundle, env: { PATH: '/usr/bin:/bin' } }),
      ),
    );
    for (const tools of [first, second])
      expect(await which('kubectl', tools?.env ?? {})).toContain('"minor":"29"');
    expect(readdirSync(join(inventoryDir, BIN_DIR)).sort()).toEqual([
      'kubectl-from-bundle',
      'kubectl-from-bundle.json',
    ]);
  });
});
