import { join } from 'node:path';
import { type Inventory, trafficAddress } from '../inventory/defaults.js';
import { artifactOperation, sha256File } from '../operations/artifact.js';
import { HTTP_GET } from '../operations/asset-download.js';
import { commandOperation } from '../operations/command.js';
import { directoryOperation } from '../operations/directory.js';
import { remoteCheck } from '../operations/remote-check.js';
import { systemdUnitOperation } from '../operations/systemd.js';
import type { Operation } from '../operations/types.js';
import { templateOperation } from '../templates/load.js';
import { ASSETS_DIR, ASSETS_PORT, assetBaseUrl, assetHost, BUNDLE_TARS, bundleStamp } from './assets.js';

/**
 * How the bundle reaches the hosts: Wire's way (docs/wire/install-sequences.md#asset-host-and-apt-sources, #offline-bundle). The bundle's tarballs
 * are uploaded once, to the asset host, and unpacked into /opt/assets, which serve-assets
 * serves on :8080; every other host downloads what it needs from there over the private
 * network. Chosen over uploading every file to every host from the admin host because the
 * images alone are gigabytes per node: the admin host's link carries the bundle once.
 *
 * Resumable at every point: an upload is skipped when the asset host's copy has the same
 * sha256 (artifact operation); a tarball is unpacked again only when its checksum differs from
 * the one recorded when it was last unpacked (the old tree is removed first, so upgrades do not
 * pile up copies, docs/wire/install-sequences.md#asset-host-disk-space); a host's download is skipped when its file has the
 * checksum the asset host published (`<item>.SHA256SUMS`, written while unpacking).
 *
 * The assets stage's steps share these: the assethost unpacks and serves in two steps, the demo
 * host in one.
 */
const UPLOADS = `${ASSETS_DIR}/.bundle`;
const UNIT = '/etc/systemd/system/serve-assets.service';

/**
 * sha256 of each tarball, computed before any host is contacted (uploads need it) and kept for
 * the process: keyed by path, size and time, so a replaced file is hashed again.
 */
const digests = new Map<string, string>();
const digestKey = (root: string, name: string) => `${join(root, name)}@${bundleStamp(root, name)}`;

export async function hashBundleTars(root: string): Promise<void> {
  for (const name of BUNDLE_TARS) {
    const key = digestKey(root, name);
    if (!digests.has(key)) digests.set(key, await sha256File(join(root, name)));
  }
}

function digestOf(root: string, name: string): string {
  const digest = digests.get(digestKey(root, name));
  if (!digest) throw new Error(`engine: the checksum of ${name} was not computed before connecting`);
  return digest;
}

/** Removes what the last unpack of this tarball created, unpacks it, publishes the checksums. */
function unpackScript(name: string, sha256: string): string {
  const base = name.replace(/\.tar$/, '');
  const record = `${UPLOADS}/${base}`;
  return [
    'set -e',
    `cd ${ASSETS_DIR}`,
    // The top-level entries of the previous unpack (never "." or ".bundle"), then the new ones.
    `if [ -f ${record}.list ]; then sed 's|^\\./||' ${record}.list | cut -d/ -f1 | sort -u | grep -v -x -e '' -e '.' -e '..' -e '.bundle' | while read -r top; do rm -rf -- "$top"; done; fi`,
    `tar -tf ${UPLOADS}/${name} > ${record}.list.new`,
    `tar -xf ${UPLOADS}/${name} --no-same-owner`,
    `grep -v '/$' ${record}.list.new | sed 's|^\\./||' | xargs -r -d '\\n' sha256sum > ${base}.SHA256SUMS.new`,
    `mv ${base}.SHA256SUMS.new ${base}.SHA256SUMS`,
    `mv ${record}.list.new ${record}.list`,
    `echo ${sha256} > ${record}.unpacked`,
  ].join('\n');
}

/** `root`: the unpacked bundle on the admin host, whose tarballs hashBundleTars has hashed. */
export function unpackBundle(root: string): Operation[] {
  return [
    directoryOperation({ path: ASSETS_DIR, mode: 0o755 }),
    directoryOperation({ path: UPLOADS, mode: 0o700 }),
    ...BUNDLE_TARS.flatMap((name) => {
      const sha256 = digestOf(root, name);
      return [
        artifactOperation({
          localPath: join(root, name),
          remotePath: `${UPLOADS}/${name}`,
          sha256,
          mode: 0o600,
        }),
        commandOperation({
          name: `unpack ${name} into ${ASSETS_DIR}`,
          command: unpackScript(name, sha256),
          unless: `grep -qx ${sha256} ${UPLOADS}/${name.replace(/\.tar$/, '')}.unpacked`,
        }),
      ];
    }),
  ];
}

export function serveAssets(inventory: Inventory): Operation[] {
  const host = assetHost(inventory);
  const address = host ? trafficAddress(host) : '0.0.0.0';
  const list = `${assetBaseUrl(inventory)}/binaries.SHA256SUMS`;
  return [
    templateOperation(
      'assets/serve-assets.service',
      { address, port: String(ASSETS_PORT) },
      { path: UNIT, mode: 0o644 },
    ),
    systemdUnitOperation({
      unit: 'serve-assets.service',
      enabled: true,
      running: true,
      restartWhenChanged: [UNIT],
    }),
    remoteCheck('serve-assets answers', async (context) => {
      // In a plan on a fresh asset host it is not started yet: a note (remoteCheck), not a failure.
      if ((await context.host.exec('systemctl is-active --quiet serve-assets')).exitCode !== 0)
        throw new Error('serve-assets is not running yet');
      // Started a moment ago: give the server a few seconds to listen.
      const result = await context.host.exec(
        `for i in 1 2 3 4 5 6 7 8 9 10; do ${HTTP_GET} ${list} >/dev/null 2>&1 && exit 0; sleep 0.5; done; ${HTTP_GET} ${list} >/dev/null`,
      );
      if (result.exitCode === 0) return [];
      return [
        {
          severity: 'error',
          rule: 'assets.serve',
          host: context.host.name,
          message: `the asset host does not serve ${list}`,
          measured: result.stderr.trim().split('\n').at(-1) ?? '',
          fix: 'look at the unit: systemctl status serve-assets; journalctl -u serve-assets',
        },
      ];
    }),
  ];
}
