// Our code and its npm dependencies as one CommonJS file (what a single executable runs), and
// the package's own files it reads at run time, as SEA assets (src/core/package-files.ts).
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

/**
 * Bundles src/single-executable.ts with esbuild. The commands' dynamic import()s stay lazy:
 * esbuild keeps each imported module behind a function that runs on the first import, so
 * `--help` evaluates what it did before, not every command (src/commands/registry.ts).
 * Returns esbuild's metafile (which files went in; THIRD-PARTY-LICENSES.txt is made from it).
 */
export async function bundle(root, outfile) {
  const result = await build({
    absWorkingDir: root,
    entryPoints: ['src/single-executable.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node24',
    metafile: true,
    // ssh2's optional native add-ons (its own crypto, cpu-features): a single executable cannot
    // load a .node file, so ssh2 takes its other path, the ciphers of Node's crypto (AES-GCM,
    // AES-CTR; chacha20-poly1305 needs the add-on), as when they fail to build on install.
    external: ['cpu-features', '*.node'],
    // The notices of the bundled packages go into THIRD-PARTY-LICENSES.txt beside the executable.
    legalComments: 'none',
    logLevel: 'warning',
    // import.meta.url is read only outside a single executable (src/core/package-files.ts).
    logOverride: { 'empty-import-meta': 'silent' },
  });
  return result.metafile;
}

function filesUnder(root, dir) {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)));
}

/** SEA assets: name (the path in the package, as src/core/package-files.ts asks) -> file on disk. */
export function runtimeAssets(root) {
  const names = ['package.json', 'schema/inventory.schema.json', ...filesUnder(root, 'templates')].sort();
  return Object.fromEntries(names.map((name) => [name, join(root, name)]));
}
