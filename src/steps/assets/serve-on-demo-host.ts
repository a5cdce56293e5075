import { hashBundleTars, serveAssets, unpackBundle } from '../../wire/asset-host.js';
import { defineStep } from '../define-step.js';
import { DEMO_ONLY } from '../types.js';

export const serveOnDemoHostStep = defineStep({
  id: 'assets.serve-on-demo-host',
  stage: 'assets',
  title: 'Unpack the bundle on the demo host and serve it on :8080',
  modes: DEMO_ONLY,
  target: { kind: 'hosts', roles: 'all' },
  order: 'parallel',
  why: 'WIAB Dev unpacks the bundle on its single host and serves it there with serve-assets',
  needs: ['bundle'],
  // The tarballs' checksums, which the uploads need, are computed before any host is contacted.
  beforeConnect: (_inventory, options) => hashBundleTars(options.bundleRoot),
  operations: (inventory, _host, options) => [...unpackBundle(options.bundleRoot), ...serveAssets(inventory)],
});
