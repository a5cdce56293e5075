import { describe, expect, it } from 'vitest';
import { BUNDLE_BINARIES } from '../../../src/bundle/binaries.js';

/**
 * The names of the files wire-install downloads from the bundle's binaries.tar, as Wire's build
 * of wire-server-deploy 5.32 names them (nix/pkgs/wire-binaries.nix: each file is named as its
 * download URL ends; ansible/inventory/offline/group_vars/all/offline.yml downloads the same
 * names). A name that differs is a 404 from the asset host in the middle of an apply.
 * docs/wire/deployment-sources.md#bundle-binaries-and-versions
 */
describe("the bundle's binaries.tar", () => {
  it('holds every file wire-install takes from it under the name Wire 5.32 gives it', () => {
    expect(BUNDLE_BINARIES).toEqual({
      containerd: 'binaries/containerd-1.7.22-linux-amd64.tar.gz',
      runc: 'binaries/runc.amd64',
      kubeadm: 'binaries/kubeadm',
      kubelet: 'binaries/kubelet',
      kubectl: 'binaries/kubectl',
      crictl: 'binaries/crictl-v1.29.0-linux-amd64.tar.gz',
      cniPlugins: 'binaries/cni-plugins-linux-amd64-v1.3.0.tgz',
      calicoArchive: 'binaries/v3.27.4.tar.gz',
      elasticsearchDeb: 'binaries/elasticsearch-oss-6.8.23.deb',
      minioServer: 'binaries/minio.RELEASE.2023-07-07T07-13-57Z',
      minioClient: 'binaries/mc.RELEASE.2023-10-24T05-18-28Z',
      cassandra: 'binaries/apache-cassandra-3.11.19-bin.tar.gz',
    });
  });
});
