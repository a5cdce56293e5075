import { serveAssets } from '../../wire/asset-host.js';
import { defineStep } from '../define-step.js';
import { PRODUCTION_ONLY } from '../types.js';

export const serveStep = defineStep({
  id: 'assets.serve',
  stage: 'assets',
  title: 'Serve /opt/assets on :8080 (systemd unit serve-assets)',
  modes: PRODUCTION_ONLY,
  target: { kind: 'hosts', roles: ['assethost'] },
  order: 'parallel',
  why: 'Hosts take apt packages, binaries and images from http://<assethost>:8080; no registry, no internet',
  operations: (inventory) => serveAssets(inventory),
});
