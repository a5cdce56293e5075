// Node.js single executable applications (https://nodejs.org/api/single-executable-applications.html):
// a blob (our bundle, its V8 code cache and the assets) made by node itself, injected with
// postject into a copy of the official node binary of each platform.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import postject from 'postject';
import { SEA_FUSE } from './pins.mjs';

const CPU = { 'linux-x64': 'x86_64', 'linux-arm64': 'aarch64' };

function onPath(name) {
  return (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, name))
    .find((path) => existsSync(path));
}

/**
 * How to run a platform's node on this machine: directly when it is this machine's, else
 * through qemu user-mode emulation with that platform's C library (on x64: apt packages
 * qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross, which scripts/setup.sh installs).
 */
export function nodeRunner(platform, node) {
  if (platform === `linux-${process.arch}`) return { command: node, args: [], env: process.env };
  const cpu = CPU[platform];
  const qemu = onPath(`qemu-${cpu}-static`) ?? onPath(`qemu-${cpu}`);
  const prefix = `/usr/${cpu}-linux-gnu`;
  if (!qemu || !existsSync(join(prefix, 'lib/libstdc++.so.6'))) {
    throw new Error(
      `cannot run the ${platform} node here to make its blob: needs qemu-${cpu}-static and ${prefix} ` +
        `(Debian: apt-get install qemu-user-static libc6-arm64-cross libstdc++6-arm64-cross; scripts/setup.sh does)`,
    );
  }
  return { command: qemu, args: [node], env: { ...process.env, QEMU_LD_PREFIX: prefix } };
}

/**
 * Writes the preparation blob with `node --experimental-sea-config`, run by the node of the
 * platform it is for: its V8 code cache (useCodeCache) is valid only there (another platform's
 * node rejects it, with a warning, and compiles from source: twice the start-up time).
 */
export function seaBlob({ platform, node, main, assets, dir }) {
  const config = join(dir, `sea-config-${platform}.json`);
  const blob = join(dir, `sea-prep-${platform}.blob`);
  const settings = {
    main,
    output: blob,
    disableExperimentalSEAWarning: true,
    useCodeCache: true,
    useSnapshot: false,
    assets,
  };
  writeFileSync(config, `${JSON.stringify(settings, null, 2)}\n`);
  const runner = nodeRunner(platform, node);
  execFileSync(runner.command, [...runner.args, '--experimental-sea-config', config], {
    env: runner.env,
    stdio: 'pipe', // on failure, execFileSync's error carries node's stderr
  });
  return blob;
}

/** A copy of `node` at `target` with the blob injected (the NODE_SEA_BLOB note, the fuse flipped). */
export async function injectBlob({ node, blob, target }) {
  copyFileSync(node, target);
  chmodSync(target, 0o755);
  // postject's ELF reader warns about Node's notes, harmlessly (nodejs/postject#83): kept quiet.
  const warn = console.warn;
  console.warn = (...args) => {
    if (!/^warning: Can't find string offset for section name/.test(String(args[0]))) warn(...args);
  };
  try {
    await postject.inject(target, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SEA_FUSE });
  } finally {
    console.warn = warn;
  }
}
