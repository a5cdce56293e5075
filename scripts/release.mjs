// npm run release: one self-contained executable per platform in dist/release/ (docs/release.md):
// the official Node.js runtime with our bundled code and files injected as a single executable
// application, helm beside it, the licences, a README and SHA256SUMS. Network: the npm
// registry only (npm pack), and only for what is not cached yet.
//   usage: node scripts/release.mjs [--out DIR]   (default dist/release; another DIR must be new or empty)
//          node scripts/release.mjs --fetch-only  (fill the cache: what scripts/setup.sh runs)
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundle, runtimeAssets } from './release/bundle.mjs';
import { extract, npmTarball, sha256File, verify } from './release/fetch.mjs';
import { thirdPartyLicences } from './release/licences.mjs';
import { HELM, NODE, PLATFORMS } from './release/pins.mjs';
import { injectBlob, seaBlob } from './release/sea.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const fetchOnly = args.includes('--fetch-only');
const out = args.includes('--out') ? resolve(args[args.indexOf('--out') + 1]) : join(root, 'dist/release');
const work = join(out, '.build');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const started = performance.now();
const step = (what) =>
  console.log(`release: ${what} (${((performance.now() - started) / 1000).toFixed(1)} s)`);

/** The official Node.js binary and LICENSE of a platform, extracted into `dir`, from the checked tarball. */
function nodeRuntime(platform, dir) {
  const { name, sha256 } = NODE.packages[platform];
  const tarball = npmTarball(`${name}@${NODE.version}`, sha256);
  if (dir) extract(tarball, dir, ['package/bin/node', 'package/LICENSE']);
  return dir && join(dir, 'package/bin/node');
}

if (fetchOnly) {
  for (const platform of PLATFORMS) nodeRuntime(platform);
  execFileSync(join(root, 'scripts/fetch-helm.sh'), { stdio: 'ignore' });
  process.exit(0);
}

if (out === join(root, 'dist/release')) rmSync(out, { recursive: true, force: true });
else if (existsSync(out) && readdirSync(out).length > 0) throw new Error(`--out ${out} is not empty`);
mkdirSync(work, { recursive: true });

step('bundling src/ with esbuild');
const main = join(work, 'wire-install.cjs');
const metafile = await bundle(root, main);
writeFileSync(join(out, 'THIRD-PARTY-LICENSES.txt'), thirdPartyLicences(root, metafile));

step(`Node.js ${NODE.version}: the official builds from the npm registry, checked`);
const nodes = Object.fromEntries(
  PLATFORMS.map((platform) => [platform, nodeRuntime(platform, join(work, `node-${platform}`))]),
);
const licences = PLATFORMS.map((platform) =>
  readFileSync(join(work, `node-${platform}/package/LICENSE`), 'utf8'),
);
if (new Set(licences).size !== 1) throw new Error("the platforms' Node.js LICENSE files differ: ship each");
writeFileSync(join(out, 'LICENSE-node.txt'), licences[0]);

for (const platform of PLATFORMS) {
  step(`single-executable blob for ${platform}, injected into its node`);
  const blob = seaBlob({ platform, node: nodes[platform], main, assets: runtimeAssets(root), dir: work });
  await injectBlob({ node: nodes[platform], blob, target: join(out, `wire-install-${version}-${platform}`) });
}

step(`helm ${HELM.version}`);
const helm = execFileSync(join(root, 'scripts/fetch-helm.sh'), { encoding: 'utf8' }).trim();
verify(helm, HELM.sha256, `helm ${HELM.version} ${HELM.platform}`);
copyFileSync(helm, join(out, `helm-${HELM.version}-${HELM.platform}`));
const helmLicence = join(root, 'scripts/release/helm-LICENSE');
verify(helmLicence, HELM.licenseSha256, "helm's LICENSE");
copyFileSync(helmLicence, join(out, 'LICENSE-helm.txt'));

const missingHelm = PLATFORMS.filter((platform) => platform !== HELM.platform);
const readme = readFileSync(join(root, 'scripts/release/README.txt'), 'utf8')
  .replaceAll('{{version}}', version)
  .replaceAll('{{node}}', NODE.version)
  .replaceAll('{{helm}}', HELM.version)
  .replace(
    '{{helmMissing}}',
    missingHelm
      .map((platform) => `  (no helm for ${platform}: bring helm 3 yourself; docs/release.md says why)\n`)
      .join(''),
  );
writeFileSync(join(out, 'README.txt'), readme);

rmSync(work, { recursive: true, force: true });
const files = readdirSync(out).sort();
writeFileSync(
  join(out, 'SHA256SUMS'),
  files.map((file) => `${sha256File(join(out, file))}  ${file}\n`).join(''),
);

step('done');
for (const file of [...files, 'SHA256SUMS']) {
  const mib = statSync(join(out, file)).size / 2 ** 20;
  console.log(`  ${file.padEnd(40)} ${mib >= 1 ? `${mib.toFixed(1)} MiB` : `${Math.ceil(mib * 1024)} KiB`}`);
}
