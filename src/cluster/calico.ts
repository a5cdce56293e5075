import { join } from 'node:path';
import { execa } from 'execa';
import { BUNDLE_BINARIES } from '../bundle/binaries.js';
import { WireInstallError } from '../core/errors.js';

/**
 * Calico as Wire's kubespray runs it (docs/wire/deployment-sources.md#calico): v3.27.4, VXLAN
 * between all nodes and no BGP (kubespray's calico_network_backend vxlan, calico_vxlan_mode
 * Always), its images from quay.io as the bundle's containers-system.tar carries them, and a
 * CNI chain with portmap, which hostPorts (a demo's ingress on 443 and 80) need. Wire's bundle
 * has no ready manifest: binaries.tar carries Calico's source archive (kubespray's calico_crds),
 * whose manifests/calico-vxlan.yaml is Calico's own manifest for that backend. It is read from
 * there and given the rest.
 */
export const CALICO_VERSION = '3.27.4';
export const CALICO_MANIFEST = `calico-${CALICO_VERSION}/manifests/calico-vxlan.yaml`;
const UPSTREAM_IMAGES = 'docker.io/calico/';
const BUNDLE_IMAGES = 'quay.io/calico/';

/**
 * The upstream manifest as Wire's cluster has Calico: the inventory's pod network as its IP pool
 * (the default, 192.168.0.0/16, is commented out and would not match kubeadm's podSubnet),
 * VXLAN always rather than only across subnets, and the images the bundle seeds.
 */
export function calicoManifest(text: string, podCidr: string): string {
  if (!/"type":\s*"portmap"/.test(text))
    throw new WireInstallError({
      what: `the Calico manifest's CNI configuration has no portmap plugin (${CALICO_MANIFEST}): hostPorts, which a demo's ingress uses for 443 and 80, would not work`,
      next: `use the bundle of wire-server-deploy 5.32 (Calico v${CALICO_VERSION}, whose calico-vxlan.yaml has portmap)`,
    });
  const pool = /^(\s*)# - name: CALICO_IPV4POOL_CIDR\n\1#\s+value: "[^"]*"/m;
  const vxlan = /^(\s*- name: CALICO_IPV4POOL_VXLAN\n\s*value: )"CrossSubnet"/m;
  return text
    .replace(pool, `$1- name: CALICO_IPV4POOL_CIDR\n$1  value: "${podCidr}"`)
    .replace(vxlan, '$1"Always"')
    .replaceAll(UPSTREAM_IMAGES, BUNDLE_IMAGES);
}

/** The manifest out of Calico's archive inside the bundle's binaries.tar, neither unpacked. */
export async function readCalicoManifest(bundleRoot: string): Promise<string> {
  const binaries = join(bundleRoot, 'binaries.tar');
  const unreadable = (stderr: string) =>
    new WireInstallError({
      what: `cannot read ${CALICO_MANIFEST} from ${BUNDLE_BINARIES.calicoArchive} in ${binaries}`,
      evidence: stderr.trim().split('\n').slice(-2),
      next: `use the bundle of wire-server-deploy 5.32 (its versions/wire-binaries.json names calico v${CALICO_VERSION})`,
    });
  const archive = await execa('tar', ['-xOf', binaries, BUNDLE_BINARIES.calicoArchive], {
    encoding: 'buffer',
    reject: false,
  });
  if (archive.exitCode !== 0) throw unreadable(Buffer.from(archive.stderr).toString());
  const manifest = await execa('tar', ['-xzOf', '-', CALICO_MANIFEST], {
    input: archive.stdout,
    reject: false,
    stripFinalNewline: false,
  });
  if (manifest.exitCode !== 0) throw unreadable(manifest.stderr);
  return manifest.stdout;
}
