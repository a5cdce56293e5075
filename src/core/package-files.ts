import { readFileSync } from 'node:fs';
import { getAsset, isSea } from 'node:sea';
import { fileURLToPath } from 'node:url';

/**
 * The files of wire-install itself that it reads at run time: `templates/`, the JSON Schema
 * `schema/inventory.schema.json` and `package.json` (the version). Named by their path in the
 * package, e.g. `templates/chrony/chrony.conf`.
 *
 * From an npm install (or this repository) they are files in the package folder, beside dist/
 * and src/. In the single executable `npm run release` builds (docs/release.md) they are its
 * assets, under the same names: there is no package folder and nothing is read from disk.
 * Every read of the package's own files goes through here, so both ways stay the same.
 */

/** True in the single executable (Node's single executable applications, `node:sea`). */
export function runsAsSingleExecutable(): boolean {
  return isSea();
}

/** Absolute path of a package file on disk; undefined in the single executable (it has no such files). */
export function packageFilePath(name: string): string | undefined {
  if (isSea()) return undefined;
  // dist/core/package-files.js and src/core/package-files.ts both sit two levels below the root.
  return fileURLToPath(new URL(`../../${name}`, import.meta.url));
}

/** The text of a package file, e.g. `packageFileText('templates/chrony/chrony.conf')`. */
export function packageFileText(name: string): string {
  const path = packageFilePath(name);
  if (path !== undefined) return readFileSync(path, 'utf8');
  try {
    return getAsset(name, 'utf8');
  } catch (error) {
    // A name the release did not embed is a bug of the release build (scripts/release/), not of input.
    throw new Error(`${name} is not among this executable's files (${(error as Error).message})`);
  }
}
