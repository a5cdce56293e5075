// The release's inputs from outside the repository: npm packages fetched with `npm pack` (the
// npm registry is the only network the build uses) into a cache OUTSIDE the repository, and
// checked against their pinned sha256 every time they are used.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The same cache as scripts/fetch-helm.sh: WIRE_INSTALL_TOOLS, /var/cache/wire-install-tools, or ~/.cache. */
export function toolsCache() {
  if (process.env.WIRE_INSTALL_TOOLS) return process.env.WIRE_INSTALL_TOOLS;
  try {
    mkdirSync('/var/cache/wire-install-tools', { recursive: true });
    accessSync('/var/cache/wire-install-tools', constants.W_OK);
    return '/var/cache/wire-install-tools';
  } catch {
    return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'wire-install-tools');
  }
}

export function sha256File(path) {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Throws unless the file's sha256 is the pinned one. */
export function verify(path, sha256, what) {
  const actual = sha256File(path);
  if (actual !== sha256) {
    throw new Error(
      `${what}: sha256 ${actual} is not the pinned ${sha256} (${path}); delete it to fetch again`,
    );
  }
}

/**
 * The tarball of an npm package (`name@version`), fetched once into `<cache>/release/` and
 * kept under its checksum; verified before every use.
 */
export function npmTarball(spec, sha256) {
  const dir = join(toolsCache(), 'release');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${sha256}.tgz`);
  if (!existsSync(file)) {
    const work = mkdtempSync(join(dir, 'fetch-'));
    try {
      const name = execFileSync('npm', ['pack', '--silent', '--loglevel=error', spec], {
        cwd: work,
        encoding: 'utf8',
      })
        .trim()
        .split('\n')
        .pop();
      verify(join(work, name), sha256, spec);
      // Moved into place only once verified, so the cache never holds a wrong or partial file.
      renameSync(join(work, name), file);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  verify(file, sha256, spec);
  return file;
}

/** Extracts `members` (paths inside the tarball, e.g. package/bin/node) into `dir`. */
export function extract(tarball, dir, members) {
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', dir, ...members]);
}
