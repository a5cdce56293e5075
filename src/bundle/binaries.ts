/**
 * The files this tool takes from the bundle's binaries.tar, which the asset host unpacks into
 * /opt/assets/binaries. Paths are relative to /opt/assets. Wire's build (wire-server-deploy
 * nix/pkgs/wire-binaries.nix, offline/tasks/proc_wire_binaries.sh) names each file as its
 * download URL ends, so the names carry the versions: the ones here are those of
 * wire-server-deploy 5.32, which its offline inventory (group_vars/all/offline.yml) downloads
 * from http://<assethost>:8080/binaries, and which the bundle lists in versions/wire-binaries.json.
 * The bundle check (preflight.bundle) does not look inside the tar: a bundle of another release
 * fails at the first download that is not there.
 * See docs/wire/deployment-sources.md#bundle-binaries-and-versions.
 */
export const BUNDLE_BINARIES = {
  // Kubernetes nodes (kubernetes.containerd, kubernetes.kube-packages): kube_version v1.29.10,
  // and containerd, runc, crictl and the CNI plugins at the versions kubespray 2.25 pins for it
  // (docs/wire/deployment-sources.md#container-runtime-and-cni).
  containerd: 'binaries/containerd-1.7.22-linux-amd64.tar.gz',
  runc: 'binaries/runc.amd64',
  kubeadm: 'binaries/kubeadm',
  kubelet: 'binaries/kubelet',
  kubectl: 'binaries/kubectl',
  crictl: 'binaries/crictl-v1.29.0-linux-amd64.tar.gz',
  cniPlugins: 'binaries/cni-plugins-linux-amd64-v1.3.0.tgz',
  // Calico's source archive (kubespray's calico_crds): kubernetes.cni applies the manifest in it.
  calicoArchive: 'binaries/v3.27.4.tar.gz',
  elasticsearchDeb: 'binaries/elasticsearch-oss-6.8.23.deb',
  minioServer: 'binaries/minio.RELEASE.2023-07-07T07-13-57Z',
  // Newer than the server: Wire moved mc alone to this release (mc_version in wire-binaries.nix).
  minioClient: 'binaries/mc.RELEASE.2023-10-24T05-18-28Z',
  // Cassandra (databases.cassandra-install): cassandra_version 3.11.19.
  cassandra: 'binaries/apache-cassandra-3.11.19-bin.tar.gz',
} as const satisfies Record<string, string>;
