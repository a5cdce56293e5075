import { serveStep } from './serve.js';
import { serveOnDemoHostStep } from './serve-on-demo-host.js';
import { unpackBundleStep } from './unpack-bundle.js';

/**
 * Assets: the bundle's apt repository, binaries and image tarballs are served over HTTP on
 * :8080, and every host installs from there (Wire's setup-offline-sources.yml, docs/wire/install-sequences.md#asset-host-and-apt-sources).
 * In production the assethost serves them; in a demo the single host serves them
 * to itself, as Wire's WIAB Dev does with its asset_host stage (docs/wire/install-sequences.md#wiab-dev-stages).
 */
export const assetsSteps = [unpackBundleStep, serveStep, serveOnDemoHostStep] as const;
