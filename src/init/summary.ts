import type { InventoryInput } from '../inventory/schema.js';

/**
 * What init is about to write, as lines a person checks before saying yes: one line per
 * section and one per host. Built from the inventory itself (not the answers), so it shows
 * exactly what goes into the file, including roles the mode decided.
 */

export interface SummaryPaths {
  inventory: string;
  secrets: string;
}

function certificates(input: InventoryInput): string {
  const certs = input.certificates;
  switch (certs.mode) {
    case 'bring-your-own':
      return `bring your own: ${certs.certChain}, key ${certs.key}`;
    case 'cert-manager':
      return `cert-manager (Let's Encrypt${certs.staging ? ' staging' : ''}), account ${certs.email}`;
    case 'self-signed':
      return 'self-signed (demos only: clients will not trust it)';
  }
}

function ssh(input: InventoryInput): string {
  const s = input.ssh ?? {};
  const parts = [
    `${s.user ?? 'root'}@<host>:${s.port ?? 22}`,
    s.identityFile ? `key ${s.identityFile}` : 'keys from the ssh-agent',
  ];
  if (s.bastion)
    parts.push(
      `through ${s.bastion.user ? `${s.bastion.user}@` : ''}${s.bastion.address}:${s.bastion.port ?? 22}`,
    );
  if (s.become?.enabled === false) parts.push('no sudo');
  else if (s.become?.password) parts.push('sudo with a password (ssh.becomePassword in secrets.yaml)');
  else if (s.become?.enabled) parts.push('sudo without a password');
  return parts.join(', ');
}

function calling(input: InventoryInput): string {
  const sft = input.wire?.calling?.sft;
  const coturn = input.wire?.calling?.coturn?.enabled;
  const sftText = sft?.enabled
    ? `SFT on${sft.concurrentParticipants ? ` (${sft.concurrentParticipants} concurrent participants)` : ''}`
    : 'SFT off';
  return `${sftText}, coturn ${coturn ? 'on' : 'off'}`;
}

/** `6 CPUs, 8 GiB, 80 GiB disk`: what a host declares, or '' when it declares nothing. */
export function resourcesText(r: { cpus?: number; memoryGiB?: number; diskGiB?: number } = {}): string {
  return [
    r.cpus !== undefined && `${r.cpus} ${r.cpus === 1 ? 'CPU' : 'CPUs'}`,
    r.memoryGiB !== undefined && `${r.memoryGiB} GiB`,
    r.diskGiB !== undefined && `${r.diskGiB} GiB disk`,
  ]
    .filter(Boolean)
    .join(', ');
}

function hostLine(host: InventoryInput['hosts'][number]): string {
  const details = [
    resourcesText(host.resources),
    host.privateAddress && `private ${host.privateAddress}`,
    host.externalIp && `public ${host.externalIp}`,
  ]
    .filter(Boolean)
    .join('; ');
  return `    ${host.name.padEnd(14)} ${host.address.padEnd(16)} ${host.roles.join(', ')}${details ? `  (${details})` : ''}`;
}

export function summaryLines(input: InventoryInput, paths: SummaryPaths): string[] {
  const row = (label: string, value: string) => `  ${label.padEnd(13)} ${value}`;
  return [
    'Summary:',
    row('mode', input.mode),
    row('domain', input.domain),
    row('certificates', certificates(input)),
    row('calling', calling(input)),
    row('ssh', ssh(input)),
    row('bundle', input.bundle?.path ?? 'not set yet (apply needs it)'),
    row('hosts', String(input.hosts.length)),
    ...input.hosts.map(hostLine),
    row('inventory', paths.inventory),
    row('secrets', `${paths.secrets} (generated, or kept if it exists)`),
  ];
}
