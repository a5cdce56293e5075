/**
 * The files this tool takes from the bundle's binaries.tar, which the asset host unpacks into
 * /opt/assets/binaries (FACTS 1e: kubeadm, kubelet, kubectl, cni, crictl, containerd, runc, the
 * Cassandra tarball, the ES .deb, the MinIO server and mc builds). Paths are relative to
 * /opt/assets. Wire's build names its files after their versions; the names here are the ones
 * this version expects, and the bundle check (preflight.bundle) does not look inside the tar.
 */
export const BUNDLE_BINARIES = {} as const satisfies Record<string, string>;
