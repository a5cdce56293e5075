import { DEMO_ONLY, PRODUCTION_ONLY, type StepDefinition } from '../types.js';

/**
 * Assets: the bundle's apt repository, binaries and image tarballs are served over HTTP on
 * :8080, and every host installs from there (Wire's setup-offline-sources.yml, FACTS 1c
 * step 6.1). In production the assethost serves them; in a demo the single host serves them
 * to itself, as Wire's WIAB Dev does with its asset_host stage (FACTS 1a step 7).
 */
export const assetsSteps: readonly StepDefinition[] = [
  {
    id: 'assets.unpack-bundle',
    stage: 'assets',
    title: "Copy the bundle's tarballs and unpack them into /opt/assets",
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['assethost'] },
    order: 'parallel',
    why: 'debs-jammy, binaries, containers-system and containers-helm are unpacked on the assethost (FACTS 1c step 6.1, 1e)',
  },
  {
    id: 'assets.serve',
    stage: 'assets',
    title: 'Serve /opt/assets on :8080 (systemd unit serve-assets)',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['assethost'] },
    order: 'parallel',
    why: 'Hosts take apt packages, binaries and images from http://<assethost>:8080; no registry, no internet (FACTS 1e)',
  },
  {
    id: 'assets.serve-on-demo-host',
    stage: 'assets',
    title: 'Unpack the bundle on the demo host and serve it on :8080',
    modes: DEMO_ONLY,
    target: { kind: 'hosts', roles: 'all' },
    order: 'parallel',
    why: 'WIAB Dev unpacks the bundle on its single host and serves it there with serve-assets (FACTS 1a step 7)',
  },
];
