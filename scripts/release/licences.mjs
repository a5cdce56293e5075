// THIRD-PARTY-LICENSES.txt: the licence of every npm package bundled into the executable,
// found from esbuild's metafile (the files that went into the bundle).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** node_modules/a/x.js, node_modules/@s/b/x.js, node_modules/a/node_modules/c/x.js -> the package folder. */
function packageFolder(input) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match?.[1];
}

export function thirdPartyLicences(root, metafile) {
  const folders = [...new Set(Object.keys(metafile.inputs).map(packageFolder).filter(Boolean))].sort();
  const missing = folders.filter((folder) => !existsSync(join(root, folder, 'package.json')));
  if (missing.length > 0) throw new Error(`no package.json in ${missing.join(', ')}`);
  const sections = folders.map((folder) => {
    const dir = join(root, folder);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((name) => /^(licen[cs]e|copying)(\.|$)/i.test(name));
    const author = typeof pkg.author === 'string' ? pkg.author : pkg.author?.name;
    const text = file
      ? readFileSync(join(dir, file), 'utf8').trim()
      : `(the package ships no licence file${author ? `; its author: ${author}` : ''})`;
    // `license` is a SPDX expression; old packages (ssh2) list `licenses: [{ type }]` instead.
    const licence = pkg.license ?? pkg.licenses?.map((entry) => entry.type).join(' OR ') ?? 'unknown';
    return `== ${pkg.name} ${pkg.version} (${licence})\n\n${text}\n`;
  });
  return [
    'The npm packages bundled into wire-install, each with its licence as the package ships it.',
    '',
    ...sections,
  ].join('\n');
}
