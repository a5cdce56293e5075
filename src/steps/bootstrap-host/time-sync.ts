import type { StepHost } from '../../engine/types.js';
import type { Inventory } from '../../inventory/defaults.js';
import { aptPackageOperation } from '../../operations/apt.js';
import { systemdUnitOperation } from '../../operations/systemd.js';
import type { Operation } from '../../operations/types.js';
import { templateOperation } from '../../templates/load.js';
import { chronyValues } from '../../wire/time-sync.js';
import { defineStep } from '../define-step.js';
import { BOTH_MODES } from '../types.js';

export const timeSyncStep = defineStep({
  id: 'bootstrap-host.time-sync',
  stage: 'bootstrap-host',
  title: 'Synchronise clocks with NTP (the first host serves the time)',
  modes: BOTH_MODES,
  target: { kind: 'hosts', roles: 'all' },
  order: 'parallel',
  why: "Time sync is critical for Cassandra; Wire's sync_time.yml makes the first node authoritative",
  operations: (inventory, host) => timeSync(inventory, host),
});

/** chrony; the first host serves the time to the others (Wire's sync_time.yml, docs/wire/install-sequences.md#time-sync). */
function timeSync(inventory: Inventory, host: StepHost): Operation[] {
  const values = chronyValues(inventory, host.name);
  return [
    aptPackageOperation({ name: 'chrony' }),
    templateOperation('chrony/chrony.conf', values, { path: '/etc/chrony/chrony.conf', mode: 0o644 }),
    systemdUnitOperation({
      unit: 'chrony.service',
      enabled: true,
      running: true,
      restartWhenChanged: ['/etc/chrony/chrony.conf'],
    }),
  ];
}
