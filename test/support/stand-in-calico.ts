import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BUNDLE_BINARIES } from '../../src/bundle/binaries.js';
import { CALICO_MANIFEST } from '../../src/cluster/calico.js';
import type { StandInFiles } from './bundle.js';

/**
 * STAND-IN for Calico's source archive, which Wire's bundle ships in binaries.tar as
 * binaries/v3.27.4.tar.gz (kubespray's calico_crds; docs/wire/deployment-sources.md#calico).
 * The real archive holds all of Calico v3.27.4; this one only calico-3.27.4/manifests/calico-vxlan.yaml,
 * and that only with the parts wire-install reads or edits, laid out as in the real manifest:
 * the CNI chain (calico, portmap, bandwidth), the VXLAN mode of the IPv4 pool, the commented-out
 * pool CIDR and the images on docker.io.
 */
export const STAND_IN_CALICO_MANIFEST = `# STAND-IN for Calico v3.27.4 manifests/calico-vxlan.yaml (wire-install tests): only the parts wire-install reads or edits
kind: ConfigMap
apiVersion: v1
metadata:
  name: calico-config
  namespace: kube-system
data:
  calico_backend: "vxlan"
  cni_network_config: |-
    {
      "name": "k8s-pod-network",
      "cniVersion": "0.3.1",
      "plugins": [
        {
          "type": "calico",
          "datastore_type": "kubernetes"
        },
        {
          "type": "portmap",
          "snat": true,
          "capabilities": {"portMappings": true}
        },
        {
          "type": "bandwidth",
          "capabilities": {"bandwidth": true}
        }
      ]
    }
---
kind: DaemonSet
apiVersion: apps/v1
metadata:
  name: calico-node
  namespace: kube-system
spec:
  template:
    spec:
      initContainers:
        - name: install-cni
          image: docker.io/calico/cni:v3.27.4
      containers:
        - name: calico-node
          image: docker.io/calico/node:v3.27.4
          env:
            - name: CALICO_IPV4POOL_IPIP
              value: "Never"
            - name: CALICO_IPV4POOL_VXLAN
              value: "CrossSubnet"
            # - name: CALICO_IPV4POOL_CIDR
            #   value: "192.168.0.0/16"
---
kind: Deployment
apiVersion: apps/v1
metadata:
  name: calico-kube-controllers
  namespace: kube-system
spec:
  template:
    spec:
      containers:
        - name: calico-kube-controllers
          image: docker.io/calico/kube-controllers:v3.27.4
`;

/** The archive as a file for standInBundle(), holding `manifest` where Calico's archive has it. */
export function standInCalicoFiles(manifest = STAND_IN_CALICO_MANIFEST): StandInFiles {
  const work = mkdtempSync(join(tmpdir(), 'wil-calico-'));
  const path = join(work, CALICO_MANIFEST);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, manifest);
  const archive = join(work, 'calico.tar.gz');
  execFileSync('tar', ['-czf', archive, '-C', work, CALICO_MANIFEST.split('/')[0] ?? '']);
  return { [BUNDLE_BINARIES.calicoArchive]: { from: archive } };
}
