import type { StepHost } from '../../engine/types.js';
import type { Inventory } from '../../inventory/defaults.js';
import { directoryOperation } from '../../operations/directory.js';
import { fileOperation } from '../../operations/file.js';
import { hostnameOperation } from '../../operations/hostname.js';
import type { Operation } from '../../operations/types.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const hostnameStep = defineStep({
  id: 'bootstrap-host.hostname',
  stage: 'bootstrap-host',
  title: 'Set the hostname to the inventory name',
  modes: BOTH_MODES,
  target: { kind: 'hosts', roles: 'all' },
  order: 'parallel',
  why: 'RabbitMQ needs inventory names to equal real hostnames; Wire playbooks rename hosts',
  operations: (inventory, host) => hostname(inventory, host),
});

/**
 * The host's name, and a mark that it belongs to this installation: the domain, in
 * /etc/wire-install/installed-by (read by the facts), so a later run pointed at a host of
 * another installation is stopped by preflight before it changes anything.
 */
const INSTALLED_BY = '/etc/wire-install/installed-by';
const hostname = (inventory: Inventory, host: StepHost): Operation[] => [
  hostnameOperation(host.name),
  directoryOperation({ path: '/etc/wire-install', mode: 0o755 }),
  fileOperation({ path: INSTALLED_BY, content: `${inventory.domain}\n`, mode: 0o644 }),
];
