import type { Inventory } from '../../inventory/defaults.js';
import { KUBE_ROLES } from '../../inventory/roles.js';
import { imageSeedOperation } from '../../operations/containerd-images.js';
import type { Operation } from '../../operations/types.js';
import { assetBaseUrl, bundleStamp } from '../../wire/assets.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const seedImagesStep = defineStep({
  id: 'kubernetes.seed-images',
  stage: 'kubernetes',
  title: 'Import every system and chart image into containerd (k8s.io)',
  modes: BOTH_MODES,
  target: { kind: 'hosts', roles: KUBE_ROLES },
  order: 'parallel',
  why: 'No registry offline: seed-offline-containerd.yml imports each tarball listed in index.txt',
  needs: ['bundle'],
  // Gigabytes per node from the asset host: under the engine's lower upload limit.
  upload: true,
  operations: (inventory, _host, options) => seedImages(inventory, options),
});

/** One record per imported image tarball (see containerd-images.ts). */
const IMAGE_RECORDS = '/var/lib/wire-install/images';
/** Wire's seed-offline-containerd.yml reads these two indexes (docs/wire/install-sequences.md#image-seeding). */
const IMAGE_FOLDERS = ['containers-system', 'containers-helm'] as const;

export function seedImages(inventory: Inventory, options: { bundleRoot: string | undefined }): Operation[] {
  return [
    imageSeedOperation({
      baseUrl: assetBaseUrl(inventory),
      folders: IMAGE_FOLDERS,
      namespace: 'k8s.io',
      recordDir: IMAGE_RECORDS,
      bundleStamp: IMAGE_FOLDERS.map((folder) => bundleStamp(options.bundleRoot, `${folder}.tar`)).join(' '),
    }),
  ];
}
