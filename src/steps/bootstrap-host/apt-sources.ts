import type { StepHost } from '../../engine/types.js';
import type { Inventory } from '../../inventory/defaults.js';
import { aptRepositoryOperation } from '../../operations/apt.js';
import { commandOperation } from '../../operations/command.js';
import type { Operation } from '../../operations/types.js';
import { BUNDLE_KEYRING, bundleAptLine, bundleRelease } from '../../wire/apt-sources.js';
import { fromAssets } from '../../wire/assets.js';
import { defineStep, type WireStageOptions } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const aptSourcesStep = defineStep({
  id: 'bootstrap-host.apt-sources',
  stage: 'bootstrap-host',
  title: "Point apt at the bundle's repository only",
  modes: BOTH_MODES,
  target: { kind: 'hosts', roles: 'all' },
  order: 'parallel',
  why: 'setup-offline-sources.yml replaces sources.list with http://<assethost>:8080/debs-jammy and its key',
  operations: (inventory, host, options) => aptSources(inventory, host, options),
});

/** Ubuntu's codename for the host, for the bundle's repository (debs-jammy for 22.04). */
function codename(host: StepHost): string {
  return bundleRelease(host.facts.os.versionId);
}

/**
 * The bundle's apt repository as the only source, as Wire's setup-offline-sources.yml does:
 * the other sources are moved into /etc/apt/sources-moved-by-wire-install (kept, not deleted).
 * The repository and its key come from the asset host (Wire's ubuntu_repos and
 * ubuntu_repo_gpgkey: http://<assethost>:8080/debs-<release>/public[/gpg]); the key is
 * downloaded against the checksum the asset host published and saved as an ASCII-armoured
 * keyring, which apt reads by its .asc name (apt 1.4 and later). With bundle.aptRepository
 * (a mirror of the bundle's repository) the line is used as given and no key is fetched.
 */
function aptSources(
  inventory: Inventory,
  host: StepHost,
  options: Pick<WireStageOptions, 'bundleRoot'>,
): Operation[] {
  const release = codename(host);
  const keyring = BUNDLE_KEYRING;
  const line = bundleAptLine(inventory, host.facts.os.versionId);
  const moved = '/etc/apt/sources-moved-by-wire-install';
  return [
    commandOperation({
      name: 'move the other apt sources away',
      command: [
        `mkdir -p ${moved}`,
        `if [ -s /etc/apt/sources.list ]; then mv /etc/apt/sources.list ${moved}/ && : > /etc/apt/sources.list; fi`,
        `for f in /etc/apt/sources.list.d/*; do case "$f" in */wire-bundle.list|*'/*') ;; *) mv "$f" ${moved}/ ;; esac; done`,
      ].join(' && '),
      unless: `[ ! -s /etc/apt/sources.list ] && [ -z "$(ls /etc/apt/sources.list.d | grep -vx wire-bundle.list)" ]`,
    }),
    ...(inventory.bundle.aptRepository
      ? []
      : [fromAssets(inventory, options, `debs-${release}/public/gpg`, keyring, 0o644)]),
    aptRepositoryOperation({ name: 'wire-bundle', line }),
  ];
}
