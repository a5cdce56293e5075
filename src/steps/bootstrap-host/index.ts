import { aptSourcesStep } from './apt-sources.js';
import { etcHostsStep } from './etc-hosts.js';
import { hostnameStep } from './hostname.js';
import { kernelSettingsStep } from './kernel-settings.js';
import { swapOffStep } from './swap-off.js';
import { timeSyncStep } from './time-sync.js';

/**
 * Bootstrap: the host settings Wire's playbooks make before any service is installed
 * (docs/wire/install-sequences.md#offline-production).
 * apt sources come first among the package-installing steps: time sync installs its NTP
 * server from the bundle's repository, which the assets stage has just started serving.
 */
export const bootstrapHostSteps = [
  hostnameStep,
  etcHostsStep,
  aptSourcesStep,
  timeSyncStep,
  swapOffStep,
  kernelSettingsStep,
] as const;
