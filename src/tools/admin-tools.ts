import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import {
  access,
  constants,
  lstat,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
} from 'node:fs/promises';
import { delimiter, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { BUNDLE_BINARIES } from '../bundle/binaries.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { WireInstallError } from '../core/errors.js';
import { runsAsSingleExecutable } from '../core/package-files.js';
import { BUNDLE_KUBERNETES_MINOR } from '../preflight/admin-tools.js';

/**
 * helm and kubectl for the admin host's commands, without a download (issue 14): an operator's
 * air-gapped admin host may have neither.
 *
 * - helm: WIRE_INSTALL_HELM if set; else the helm shipped beside the single executable
 *   (`helm` or `helm-<version>-linux-<arch>` in its folder, docs/release.md); else helm on PATH.
 * - kubectl: WIRE_INSTALL_KUBECTL if set; else kubectl on PATH when it is within one minor
 *   version of the bundle's Kubernetes; else the bundle's own (binaries.tar `binaries/kubectl`,
 *   Wire's kubectl at its Kubernetes version), unpacked into `.wire-install/bin`, its sha256
 *   taken while unpacking and checked again on every later run; else kubectl on PATH anyway
 *   (preflight then says what is wrong with it).
 *
 * The chosen copies are linked from `.wire-install/bin` (a folder wire-install makes and owns),
 * which goes first on the PATH of every command run on the admin host, so every `helm ...` and
 * `kubectl ...` wire-install runs is the chosen one. Preflight names them.
 */
export interface ToolChoice {
  tool: 'helm' | 'kubectl';
  /** Absolute path of the executable; undefined when none was found anywhere. */
  path: string | undefined;
  /** Where it came from, in words for preflight. */
  origin: string;
}

export interface AdminTools {
  binDir: string;
  /** The environment for the admin host's commands: PATH with binDir first. */
  env: NodeJS.ProcessEnv;
  choices: ToolChoice[];
}

export interface AdminToolsOptions {
  inventoryDir: string;
  bundleRoot: string | undefined;
  env: NodeJS.ProcessEnv;
  /** The running executable (tests point elsewhere); its folder holds the release's helm. */
  execPath?: string;
  /** Whether this is the single executable (tests say so); default: asked from node:sea. */
  singleExecutable?: boolean;
}

export const BIN_DIR = join('.wire-install', 'bin');
const BUNDLE_KUBECTL = 'kubectl-from-bundle';

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on the PATH that is not in binDir (binDir holds our own links). */
export async function findOnPath(
  name: string,
  pathValue: string | undefined,
  binDir: string,
): Promise<string | undefined> {
  for (const dir of (pathValue ?? '').split(delimiter)) {
    if (dir === '' || resolve(dir) === resolve(binDir)) continue;
    const candidate = join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** helm shipped beside the single executable: `helm`, or `helm-<version>-linux-<arch>` (the release's name for it). */
async function releaseHelm(execPath: string): Promise<string | undefined> {
  const dir = dirname(execPath);
  const plain = join(dir, 'helm');
  if (await isExecutableFile(plain)) return plain;
  const named = new RegExp(`^helm-v?\\d+\\.\\d+\\.\\d+-linux-${process.arch}$`);
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const entry of entries
    .filter((name) => named.test(name))
    .sort()
    .reverse())
    if (await isExecutableFile(join(dir, entry))) return join(dir, entry);
  return undefined;
}

/** kubectl's client minor version, or undefined when it does not answer. */
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

/** A path in binDir that must be ours: a regular file or a symlink, never a folder or a device. */
async function ensureOurs(path: string): Promise<'missing' | 'file' | 'symlink'> {
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw error;
  }
  if (info.isSymbolicLink()) return 'symlink';
  if (info.isFile()) return 'file';
  throw new WireInstallError({
    what: `${path} is not a file wire-install made (it is a ${info.isDirectory() ? 'directory' : 'special file'})`,
    next: `move it away: wire-install keeps the helm and kubectl it uses in ${dirname(path)}`,
  });
}

/**
 * The bundle's kubectl in binDir: unpacked from binaries.tar when missing, when the tar changed
 * or when the file no longer has the sha256 recorded at unpacking (then it is unpacked again).
 */
async function bundleKubectl(
  bundleRoot: string,
  binDir: string,
): Promise<{ path: string; sha256: string } | undefined> {
  const tar = join(bundleRoot, 'binaries.tar');
  let tarInfo: Awaited<ReturnType<typeof stat>>;
  try {
    tarInfo = await stat(tar);
  } catch {
    return undefined;
  }
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
  const partial = join(binDir, `.${BUNDLE_KUBECTL}.partial`);
  await rm(partial, { force: true });
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
  if (result.exitCode !== 0) {
    await rm(partial, { force: true });
    return undefined;
  }
  const sha256 = hash.digest('hex');
  await rename(partial, path);
  await writeFileAtomic(
    recordPath,
    `${JSON.stringify({ tar, size: tarInfo.size, mtimeMs: tarInfo.mtimeMs, sha256 } satisfies BundleKubectlRecord)}\n`,
    { mode: 0o600 },
  );
  return { path, sha256 };
}

/** binDir/<tool> points at `target` (a link wire-install made), or is removed so that PATH's copy is used. */
async function link(binDir: string, tool: string, target: string | undefined): Promise<void> {
  const path = join(binDir, tool);
  if ((await ensureOurs(path)) !== 'missing') await rm(path);
  if (target !== undefined) await symlink(target, path);
}

export async function prepareAdminTools(options: AdminToolsOptions): Promise<AdminTools> {
  const { env } = options;
  const binDir = join(options.inventoryDir, BIN_DIR);
  await mkdir(binDir, { recursive: true, mode: 0o700 });
  if ((await lstat(binDir)).isSymbolicLink())
    throw new WireInstallError({
      what: `${binDir} is a symbolic link; wire-install keeps its helm and kubectl in a folder of its own there`,
      next: `remove the link ${binDir}; wire-install makes the folder again`,
    });
  const execPath = options.execPath ?? process.execPath;
  const single = options.singleExecutable ?? runsAsSingleExecutable();

  // helm
  let helm: ToolChoice;
  const shipped = single ? await releaseHelm(execPath) : undefined;
  const helmOnPath = await findOnPath('helm', env.PATH, binDir);
  if (env.WIRE_INSTALL_HELM)
    helm = { tool: 'helm', path: env.WIRE_INSTALL_HELM, origin: 'WIRE_INSTALL_HELM' };
  else if (shipped) helm = { tool: 'helm', path: shipped, origin: 'shipped with wire-install' };
  else helm = { tool: 'helm', path: helmOnPath, origin: helmOnPath ? 'on PATH' : 'not found' };
  await link(binDir, 'helm', helm.origin === 'on PATH' || !helm.path ? undefined : helm.path);

  // kubectl
  let kubectl: ToolChoice;
  const kubectlOnPath = await findOnPath('kubectl', env.PATH, binDir);
  const pathMinor = kubectlOnPath ? await kubectlMinor(kubectlOnPath, env) : undefined;
  if (env.WIRE_INSTALL_KUBECTL)
    kubectl = { tool: 'kubectl', path: env.WIRE_INSTALL_KUBECTL, origin: 'WIRE_INSTALL_KUBECTL' };
  else if (kubectlOnPath && withinSkew(pathMinor))
    kubectl = { tool: 'kubectl', path: kubectlOnPath, origin: 'on PATH' };
  else {
    const fromBundle = options.bundleRoot ? await bundleKubectl(options.bundleRoot, binDir) : undefined;
    if (fromBundle)
      kubectl = {
        tool: 'kubectl',
        path: fromBundle.path,
        origin: `the bundle's binaries.tar (${BUNDLE_BINARIES.kubectl}, sha256 ${fromBundle.sha256.slice(0, 12)}…)${kubectlOnPath ? `, instead of ${kubectlOnPath} (1.${pathMinor ?? '?'})` : ''}`,
      };
    else kubectl = { tool: 'kubectl', path: kubectlOnPath, origin: kubectlOnPath ? 'on PATH' : 'not found' };
  }
  await link(binDir, 'kubectl', kubectl.origin === 'on PATH' || !kubectl.path ? undefined : kubectl.path);

  return {
    binDir,
    env: { ...env, PATH: [binDir, env.PATH ?? ''].filter((part) => part !== '').join(delimiter) },
    choices: [helm, kubectl],
  };
}

/** One line per tool for preflight and doctor: which copy wire-install uses, and from where. */
export function describeChoices(choices: readonly ToolChoice[]): string[] {
  return choices.map((choice) =>
    choice.path ? `${choice.tool}: ${choice.path} (${choice.origin})` : `${choice.tool}: not found`,
  );
}
