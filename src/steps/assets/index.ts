import { DEMO_ONLY, PRODUCTION_ONLY, type StepDefinition } from '../types.js';

/**
 * Assets: the bundle's apt repository, binaries and image tarballs are served over HTTP on
 * :8080, and every host installs from there (Wire's setup-offline-sources.yml, docs/wire/install-sequences.md#asset-host-and-apt-sources).
 * In production the assethost serves them; in a demo the single host serves them
 * to itself, as Wire's WIAB Dev does with its asset_host stage (docs/wire/install-sequences.md#wiab-dev-stages).
 */
export const assetsSteps: readonly StepDefinition[] = [
  {
    id: 'assets.unpack-bundle',
    stage: 'assets',
    title: "Copy the bundle's tarballs and unpack them into /opt/assets",
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['assethost'] },
    order: 'parallel',
    why: 'debs-jammy, binaries, containers-system and containers-helm are unpacked on the assethost',
  },
  {
    id: 'assets.serve',
    stage: 'assets',
    title: 'Serve /opt/assets on :8080 (systemd unit serve-assets)',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['assethost'] },
    order: 'parallel',
    why: 'Hosts take apt packages, binaries and images from http://<assethost>:8080; no registry, no internet',
  },
  {
    id: 'assets.serve-on-demo-host',
    stage: 'assets',
    title: 'Unpack the bundle on the demo host and serve it on :8080',
    modes: DEMO_ONLY,
    target: { kind: 'hosts', roles: 'all' },
    order: 'parallel',
    why: 'WIAB Dev unpacks the bundle on its single host and serves it there with serve-assets',
  },
];
