/**
 * The files this tool takes from the bundle's binaries.tar, which the asset host unpacks into
 * /opt/assets/binaries (FACTS 1e: kubeadm, kubelet, kubectl, cni, crictl, containerd, runc, the
 * Cassandra tarball, the ES .deb, the MinIO server and mc builds). Paths are relative to
 * /opt/assets. Wire's build names its files after their versions; the names here are the ones
 * this version expects, and the bundle check (preflight.bundle) does not look inside the tar.
 *
 * Wire's own names, from wire-server-deploy ansible/inventory/offline/group_vars/all/offline.yml
 * (binaries_url = http://<assethost>:8080/binaries): kubeadm, kubectl, kubelet,
 * cni-plugins-linux-amd64-<cni_version>.tgz, crictl-<crictl_version>-linux-amd64.tar.gz,
 * calicoctl-linux-amd64, <calico_version>.tar.gz (CRDs), containerd-<v>-linux-amd64.tar.gz,
 * runc.amd64, etcd-<v>-linux-amd64.tar.gz, nerdctl-<v>-linux-amd64.tar.gz,
 * apache-cassandra-<v>-bin.tar.gz, jmx_prometheus_javaagent-0.10.jar,
 * elasticsearch-oss-6.8.23.deb, minio.RELEASE.2023-07-07T07-13-57Z, mc.RELEASE.2023-07-07T05-25-51Z.
 * The apt repository is http://<assethost>:8080/debs-<release>/public, its key .../public/gpg.
 */
export const BUNDLE_BINARIES = {
  // Kubernetes nodes (kubernetes.containerd, kubernetes.kube-packages): kube_version v1.29.10
  // (FACTS 2.3); containerd, runc, crictl and CNI at kubespray's versions for that release.
  containerd: 'binaries/containerd-1.7.22-linux-amd64.tar.gz',
  runc: 'binaries/runc.amd64',
  kubeadm: 'binaries/kubeadm',
  kubelet: 'binaries/kubelet',
  kubectl: 'binaries/kubectl',
  crictl: 'binaries/crictl-v1.29.0-linux-amd64.tar.gz',
  cniPlugins: 'binaries/cni-plugins-linux-amd64-v1.4.0.tgz',
  elasticsearchDeb: 'binaries/elasticsearch-oss-6.8.23.deb',
  minioServer: 'binaries/minio.RELEASE.2023-07-07T07-13-57Z',
  minioClient: 'binaries/mc.RELEASE.2023-07-07T05-25-51Z',
  // Cassandra (databases.cassandra-install): cassandra_version 3.11.19 (FACTS 2.3).
  cassandra: 'binaries/apache-cassandra-3.11.19-bin.tar.gz',
} as const satisfies Record<string, string>;
