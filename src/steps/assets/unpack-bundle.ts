import { hashBundleTars, unpackBundle } from '../../wire/asset-host.js';
import { defineStep } from '../define-step.js';
import { PRODUCTION_ONLY } from '../types.js';

export const unpackBundleStep = defineStep({
  id: 'assets.unpack-bundle',
  stage: 'assets',
  title: "Copy the bundle's tarballs and unpack them into /opt/assets",
  modes: PRODUCTION_ONLY,
  target: { kind: 'hosts', roles: ['assethost'] },
  order: 'parallel',
  why: 'debs-jammy, binaries, containers-system and containers-helm are unpacked on the assethost',
  needs: ['bundle'],
  // The tarballs' checksums, which the uploads need, are computed before any host is contacted.
  beforeConnect: (_inventory, options) => hashBundleTars(options.bundleRoot),
  operations: (_inventory, _host, options) => unpackBundle(options.bundleRoot),
});
