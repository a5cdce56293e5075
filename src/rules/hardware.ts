import type { Finding } from '../core/finding.js';
import type { Host, Inventory } from '../inventory/defaults.js';
import type { Role } from '../inventory/roles.js';
import {
  DEMO_SIZING,
  DIMENSIONS,
  type Dimension,
  PRODUCTION_SIZING,
  type Sizing,
  type SizingRow,
  sizingRowOf,
} from './hardware-table.js';
import { keyName, listing } from './text.js';

/**
 * Declared resources against Wire's sizing (hardware-table.ts). Undeclared resources give no
 * finding: preflight measures the real hosts later.
 */

const RULE: Record<Dimension, string> = {
  cpus: 'hardware.cpus',
  memoryGiB: 'hardware.memory',
  diskGiB: 'hardware.disk',
};
const NOUN: Record<Dimension, string> = { cpus: '', memoryGiB: ' of memory', diskGiB: ' of disk' };

export function amount(dimension: Dimension, value: number): string {
  if (dimension === 'cpus') return `${value} vCPU${value === 1 ? '' : 's'}`;
  return `${value} GiB`;
}

/** '6 vCPUs', '8 GiB of memory': an amount that says what it measures. */
function amountOf(dimension: Dimension, value: number): string {
  return `${amount(dimension, value)}${NOUN[dimension]}`;
}

/** A sizing that applies to a host, named by the role that brings it ('demo' for the demo VM). */
export interface Applied {
  label: string;
  sizing: Sizing;
}

export function subject(label: string): string {
  return label === 'demo' ? 'the demo VM' : `a ${label} host`;
}

export function appliedSizings(inventory: Inventory, host: Host): Applied[] {
  if (inventory.mode === 'demo') return [{ label: 'demo', sizing: DEMO_SIZING }];
  const rows = new Map<SizingRow, Role>();
  for (const role of host.roles) {
    const row = sizingRowOf(role);
    if (row && !rows.has(row)) rows.set(row, role);
  }
  return [...rows].map(([row, role]) => ({ label: role, sizing: PRODUCTION_SIZING[row] }));
}

/** The applied sizing with the highest threshold of one kind, e.g. the largest minimum. */
export function strictest(applied: Applied[], dimension: Dimension, kind: 'minimum' | 'recommended') {
  let best = applied[0];
  for (const item of applied) {
    if (best && item.sizing[dimension][kind].value > best.sizing[dimension][kind].value) best = item;
  }
  return best && { label: best.label, ...best.sizing[dimension][kind] };
}

function checkDimension(host: Host, index: number, dimension: Dimension, applied: Applied[]): Finding[] {
  const value = host.resources[dimension];
  if (value === undefined || applied.length === 0) return [];
  const path = ['hosts', index, 'resources', dimension];
  const minimum = strictest(applied, dimension, 'minimum');
  const recommended = strictest(applied, dimension, 'recommended');
  const base = { rule: RULE[dimension], host: host.name, path, measured: amount(dimension, value) };

  if (minimum && value < minimum.value) {
    return [
      {
        ...base,
        severity: 'error',
        message: `${host.name} declares ${amountOf(dimension, value)}; ${subject(minimum.label)} needs at least ${amount(dimension, minimum.value)} (${minimum.source})`,
        required: `at least ${amount(dimension, minimum.value)} (${minimum.label})`,
        fix: `give ${host.name} at least ${amount(dimension, minimum.value)} and set ${keyName(path)} accordingly`,
      },
    ];
  }
  const findings: Finding[] = [];
  if (recommended && value < recommended.value) {
    findings.push({
      ...base,
      severity: 'warning',
      message: `${host.name} declares ${amountOf(dimension, value)}; ${subject(recommended.label)} should have ${amount(dimension, recommended.value)} (${recommended.source})`,
      required: `${amount(dimension, recommended.value)} recommended (${recommended.label})`,
      fix: `give ${host.name} ${amountOf(dimension, recommended.value)} before production use`,
    });
  }
  // Several roles on one host: Wire's tables size each as its own VM, so their minimums add up.
  if (applied.length > 1) {
    const total = applied.reduce((sum, item) => sum + item.sizing[dimension].minimum.value, 0);
    if (value < total) {
      const labels = applied.map((item) => item.label);
      findings.push({
        ...base,
        rule: 'hardware.shared',
        severity: 'warning',
        message: `${host.name} carries ${listing(labels)}, which Wire sizes as separate VMs; their minimums add up to ${amountOf(dimension, total)}, ${host.name} declares ${amount(dimension, value)}`,
        required: `at least ${amount(dimension, total)} (sum for ${labels.join(', ')})`,
        fix: `give ${host.name} at least ${amount(dimension, total)}, or spread these roles over more hosts`,
      });
    }
  }
  return findings;
}

export function checkHardware(inventory: Inventory): Finding[] {
  return inventory.hosts.flatMap((host, index) => {
    const applied = appliedSizings(inventory, host);
    return DIMENSIONS.flatMap((dimension) => checkDimension(host, index, dimension, applied));
  });
}
