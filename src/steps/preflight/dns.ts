import type { Inventory } from '../../inventory/defaults.js';
import { remoteCheck } from '../../operations/remote-check.js';
import type { Operation } from '../../operations/types.js';
import { checkDns, resolverLookup } from '../../preflight/dns.js';
import { defineStep, type WireStageOptions } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const dnsStep = defineStep({
  id: 'preflight.dns',
  stage: 'preflight',
  title: 'Resolve the DNS names Wire needs under the domain',
  modes: BOTH_MODES,
  target: { kind: 'admin' },
  why: "nginz-https, nginz-ssl, webapp, assets, account, teams (+ sftd, federator) must point at the ingress (as WIAB Dev's DNS check asks)",
  alwaysRun: true,
  operations: (inventory, _host, options) => [dnsCheck(inventory, options)],
});

const dnsCheck = (inventory: Inventory, options: Pick<WireStageOptions, 'dnsServer'>): Operation =>
  remoteCheck("Wire's DNS names", () =>
    checkDns(inventory, resolverLookup(options.dnsServer), options.dnsServer),
  );
