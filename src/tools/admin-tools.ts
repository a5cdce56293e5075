import { createHash } from 'node:crypto';
import { createWriteStream, rmSync } from 'node:fs';
import {
  access,
  constants,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { BUNDLE_BINARIES } from '../bundle/binaries.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { inputError, WireInstallError } from '../core/errors.js';
import { runsAsSingleExecutable } from '../core/package-files.js';
import { BUNDLE_KUBERNETES_MINOR } from '../preflight/admin-tools.js';

/**
 * helm and kubectl for the admin host's commands, without a download (issue 14): an operator's
 * air-gapped admin host may have neither.
 *
 * - helm: WIRE_INSTALL_HELM if set; else the helm shipped beside the single executable
 *   (`helm` or `helm-<version>-linux-<arch>` in its folder, docs/release.md); else helm on PATH.
 * - kubectl: WIRE_INSTALL_KUBECTL if set; else kubectl on PATH when it is within one minor
 *   version of the bundle's Kubernetes (any version with `kubernetes: existing`, whose cluster
 *   is not the bundle's); else the bundle's own (binaries.tar `binaries/kubectl`, Wire's kubectl
 *   at its Kubernetes version) when it runs here, unpacked into `.wire-install/bin`, its sha256
 *   taken while unpacking and checked again on every later run; else kubectl on PATH anyway
 *   (preflight then says what is wrong with it).
 *
 * The chosen copies are linked from a folder of this process's own (mkdtemp, removed when the
 * process ends), which goes first on the PATH of every command run on the admin host, so every
 * `helm ...` and `kubectl ...` wire-install runs is the chosen one, and two runs at once (an
 * apply and a doctor) never change each other's. Only the unpacked kubectl is shared, as a
 * cache in `.wire-install/bin`: it is unpacked under a name of this run's own and renamed into
 * place, so a concurrent unpack of the same tar cannot leave half a file. The sha256 detects a
 * cached copy changed after unpacking; it is only as good as binaries.tar, which preflight
 * checks against the bundle's SHA256SUMS when the bundle has one.
 */
export interface ToolChoice {
  tool: 'helm' | 'kubectl';
  /** Absolute path of the executable; undefined when none was found anywhere. */
  path: string | undefined;
  /** Where it came from, in words for preflight. */
  origin: string;
}

export interface AdminTools {
  /** This process's folder of links, first on PATH. */
  linkDir: string;
  /** The environment for the admin host's commands: PATH with linkDir first. */
  env: NodeJS.ProcessEnv;
  choices: ToolChoice[];
}

export interface AdminToolsOptions {
  inventoryDir: string;
  bundleRoot: string | undefined;
  env: NodeJS.ProcessEnv;
  /** kubernetes: existing: kubectl on PATH is used whatever its version (the cluster is not the bundle's). */
  existingCluster?: boolean;
  /** The running executable (tests point elsewhere); its folder holds the release's helm. */
  execPath?: string;
  /** Whether this is the single executable (tests say so); default: asked from node:sea. */
  singleExecutable?: boolean;
}

export const BIN_DIR = join('.wire-install', 'bin');
const BUNDLE_KUBECTL = 'kubectl-from-bundle';
/** PATH when the environment has none (sh must still be found). */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on the PATH that is not in `skip` (our own link folder). */
export async function findOnPath(name: string, pathValue: string, skip: string): Promise<string | undefined> {
  for (const dir of pathValue.split(delimiter)) {
    if (dir === '' || resolve(dir) === resolve(skip)) continue;
    const candidate = join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

const HELM_NAME = new RegExp(`^helm-v?(\\d+)\\.(\\d+)\\.(\\d+)-linux-${process.arch}$`);

/** helm shipped beside the single executable: `helm`, or the newest `helm-<version>-linux-<arch>` (the release's name). */
async function releaseHelm(execPath: string): Promise<string | undefined> {
  const dir = dirname(execPath);
  const plain = join(dir, 'helm');
  if (await isExecutableFile(plain)) return plain;
  const versioned = (await readdir(dir).catch(() => [] as string[]))
    .map((name) => ({ name, version: HELM_NAME.exec(name)?.slice(1, 4).map(Number) }))
    .filter((entry): entry is { name: string; version: number[] } => entry.version !== undefined)
    .sort((a, b) => {
      for (let index = 0; index < 3; index++) {
        const difference = (b.version[index] ?? 0) - (a.version[index] ?? 0);
        if (difference !== 0) return difference;
      }
      return 0;
    });
  for (const { name } of versioned) if (await isExecutableFile(join(dir, name))) return join(dir, name);
  return undefined;
}

/** A WIRE_INSTALL_HELM / WIRE_INSTALL_KUBECTL override: an executable file, made absolute. */
/** The copy WIRE_INSTALL_HELM / WIRE_INSTALL_KUBECTL names, when set: it must be an executable file. */
async function overridden(
  tool: ToolChoice['tool'],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<ToolChoice | undefined> {
  const variable = `WIRE_INSTALL_${tool.toUpperCase()}`;
  const value = env[variable];
  if (!value) return undefined;
  const path = isAbsolute(value) ? value : resolve(cwd, value);
  if (!(await isExecutableFile(path)))
    throw inputError({
      what: `${variable}=${value} is not an executable file`,
      next: `point ${variable} at the binary to use (absolute, or relative to the inventory's folder), or unset it`,
    });
  return { tool, path, origin: variable };
}

/** kubectl's client minor version, or undefined when it does not answer (missing, another architecture). */
export async function kubectlMinor(path: string, env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const result = await execa(path, ['version', '--client', '-o', 'json'], {
    reject: false,
    timeout: 15_000,
    env,
    extendEnv: false,
  });
  try {
    const minor = Number.parseInt(
      (JSON.parse(result.stdout) as { clientVersion?: { minor?: string } }).clientVersion?.minor ?? '',
      10,
    );
    return Number.isNaN(minor) ? undefined : minor;
  } catch {
    return undefined;
  }
}

const withinSkew = (minor: number | undefined) =>
  minor !== undefined && Math.abs(minor - BUNDLE_KUBERNETES_MINOR) <= 1;

async function sha256File(path: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

interface BundleKubectlRecord {
  tar: string;
  size: number;
  mtimeMs: number;
  sha256: string;
}

/** A path in binDir that must be ours: a regular file or missing, never a link, a folder or a device. */
async function ensureOurs(path: string): Promise<'missing' | 'file'> {
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  if (info.isFile()) return 'file';
  const kind = info.isSymbolicLink() ? 'symbolic link' : info.isDirectory() ? 'directory' : 'special file';
  throw new WireInstallError({
    what: `${path} is not a file wire-install made (it is a ${kind})`,
    next: `move it away: wire-install keeps the bundle's kubectl in ${dirname(path)}`,
  });
}

/** The bundle's kubectl cache folder, made 0700 when missing, never through a link. */
async function cacheDir(inventoryDir: string): Promise<string> {
  const binDir = join(inventoryDir, BIN_DIR);
  await mkdir(binDir, { recursive: true, mode: 0o700 });
  if ((await lstat(binDir)).isSymbolicLink())
    throw new WireInstallError({
      what: `${binDir} is a symbolic link; wire-install keeps the bundle's kubectl in a folder of its own there`,
      next: `remove the link ${binDir}; wire-install makes the folder again`,
    });
  return binDir;
}

/**
 * The bundle's kubectl in binDir: unpacked from binaries.tar when missing, when the tar changed,
 * or when the file no longer has the sha256 recorded at unpacking; only a kubectl that answers
 * here is kept (Wire's is linux-amd64: on another architecture it is not used).
 */
async function bundleKubectl(
  bundleRoot: string,
  inventoryDir: string,
): Promise<{ path: string; sha256: string } | undefined> {
  const tar = join(bundleRoot, 'binaries.tar');
  let tarInfo: Awaited<ReturnType<typeof stat>>;
  try {
    tarInfo = await stat(tar);
  } catch {
    return undefined;
  }
  const binDir = await cacheDir(inventoryDir);
  const path = join(binDir, BUNDLE_KUBECTL);
  const recordPath = `${path}.json`;
  const record = await readFile(recordPath, 'utf8')
    .then((text) => JSON.parse(text) as BundleKubectlRecord)
    .catch(() => undefined);
  if (
    record &&
    record.tar === tar &&
    record.size === tarInfo.size &&
    record.mtimeMs === tarInfo.mtimeMs &&
    (await ensureOurs(path)) === 'file' &&
    (await sha256File(path)) === record.sha256
  )
    return { path, sha256: record.sha256 };

  await ensureOurs(path);
  // A name of this run's own: another run unpacking the same tar at once cannot touch it.
  const partial = join(binDir, `.${BUNDLE_KUBECTL}.${process.pid}.${Date.now()}.partial`);
  const hash = createHash('sha256');
  const child = execa('tar', ['-xOf', tar, BUNDLE_BINARIES.kubectl], {
    encoding: 'buffer',
    buffer: false,
    reject: false,
  });
  const out = createWriteStream(partial, { mode: 0o755, flags: 'wx' });
  child.stdout?.on('data', (chunk: Buffer) => hash.update(chunk));
  const [, result] = await Promise.all([
    child.stdout ? pipeline(child.stdout, out) : Promise.resolve(),
    child,
  ]);
  const sha256 = hash.digest('hex');
  if (result.exitCode !== 0 || (await kubectlMinor(partial, { PATH: DEFAULT_PATH })) === undefined) {
    await rm(partial, { force: true });
    return undefined;
  }
  await rename(partial, path);
  await writeFileAtomic(
    recordPath,
    `${JSON.stringify({ tar, size: tarInfo.size, mtimeMs: tarInfo.mtimeMs, sha256 } satisfies BundleKubectlRecord)}\n`,
    { mode: 0o600 },
  );
  return { path, sha256 };
}

let linkFolder: Promise<string> | undefined;

/** This process's folder of links, made once (0700), removed when the process ends. */
function processLinkDir(): Promise<string> {
  linkFolder ??= mkdtemp(join(tmpdir(), 'wire-install-tools-')).then((dir) => {
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  });
  return linkFolder;
}

let linkCount = 0;

/** linkDir/<tool> points at `target` (made aside and renamed over), or is absent so that PATH's copy is found. */
async function link(linkDir: string, tool: string, target: string | undefined): Promise<void> {
  const path = join(linkDir, tool);
  if (target === undefined) {
    await rm(path, { force: true });
    return;
  }
  linkCount += 1;
  const aside = join(linkDir, `.${tool}.${linkCount}`);
  await symlink(target, aside);
  await rename(aside, path);
}

export async function prepareAdminTools(options: AdminToolsOptions): Promise<AdminTools> {
  const env: NodeJS.ProcessEnv & { PATH: string } = {
    ...options.env,
    PATH: options.env.PATH || DEFAULT_PATH,
  };
  const cwd = options.inventoryDir;
  const linkDir = await processLinkDir();

  let helm = await overridden('helm', env, cwd);
  if (!helm) {
    const single = options.singleExecutable ?? runsAsSingleExecutable();
    const shipped = single ? await releaseHelm(options.execPath ?? process.execPath) : undefined;
    const onPath = shipped ? undefined : await findOnPath('helm', env.PATH, linkDir);
    helm = shipped
      ? { tool: 'helm', path: shipped, origin: 'shipped with wire-install' }
      : { tool: 'helm', path: onPath, origin: onPath ? 'on PATH' : 'not found' };
  }

  let kubectl = await overridden('kubectl', env, cwd);
  if (!kubectl) {
    const onPath = await findOnPath('kubectl', env.PATH, linkDir);
    const pathMinor = onPath ? await kubectlMinor(onPath, env) : undefined;
    const pathFits = onPath !== undefined && (options.existingCluster || withinSkew(pathMinor));
    const fromBundle =
      !pathFits && options.bundleRoot
        ? await bundleKubectl(options.bundleRoot, options.inventoryDir)
        : undefined;
    kubectl = fromBundle
      ? {
          tool: 'kubectl',
          path: fromBundle.path,
          origin: `the bundle's binaries.tar (${BUNDLE_BINARIES.kubectl}, sha256 ${fromBundle.sha256.slice(0, 12)}…)${onPath ? `, instead of ${onPath} (1.${pathMinor ?? '?'})` : ''}`,
        }
      : { tool: 'kubectl', path: onPath, origin: onPath ? 'on PATH' : 'not found' };
  }

  for (const choice of [helm, kubectl])
    await link(linkDir, choice.tool, choice.origin === 'on PATH' ? undefined : choice.path);
  return {
    linkDir,
    env: { ...env, PATH: [linkDir, env.PATH].join(delimiter) },
    choices: [helm, kubectl],
  };
}

/** One line per tool for preflight and doctor: which copy wire-install uses, and from where. */
export function describeChoices(choices: readonly ToolChoice[]): string[] {
  return choices.map((choice) =>
    choice.path ? `${choice.tool}: ${choice.path} (${choice.origin})` : `${choice.tool}: not found`,
  );
}

/** The tools for an installation: its bundle (bundle.path) and whether its cluster is its own. */
export function adminToolsFor(
  inventory: { bundle: { path?: string | undefined }; kubernetes: { mode: string } },
  inventoryDir: string,
  env: NodeJS.ProcessEnv,
): Promise<AdminTools> {
  return prepareAdminTools({
    inventoryDir,
    bundleRoot: inventory.bundle.path ? resolve(inventoryDir, inventory.bundle.path) : undefined,
    env,
    existingCluster: inventory.kubernetes.mode === 'existing',
  });
}
