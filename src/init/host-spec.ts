import { ROLES, type Role } from '../inventory/roles.js';
import type { HostAnswer } from './answers.js';

/**
 * One host on the command line:
 *
 *   --host name=kubenode1,address=192.168.122.21,roles=kube-control-plane+kube-worker,cpus=6,memory=8,disk=80
 *
 * Comma-separated key=value pairs; roles joined with `+`; memory and disk in GiB. Keys:
 * name, address (required), roles (required in production), private-address, external-ip,
 * cpus, memory, disk. An answers file may give a host as the same string or as a mapping with
 * the same keys (privateAddress/externalIp in camelCase, roles as a list or a `+` string).
 */

export const HOST_SPEC_KEYS = [
  'name',
  'address',
  'roles',
  'private-address',
  'external-ip',
  'cpus',
  'memory',
  'disk',
] as const;
type HostSpecKey = (typeof HOST_SPEC_KEYS)[number];

export const HOST_SPEC_EXAMPLE =
  'name=kubenode1,address=192.168.122.21,roles=kube-control-plane+kube-worker,cpus=6,memory=8,disk=80';

export class HostSpecError extends Error {}

function camelToKebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function parseRoles(value: unknown): Role[] {
  const list = Array.isArray(value) ? value.map(String) : String(value).split('+');
  const roles = list.map((role) => role.trim()).filter((role) => role !== '');
  for (const role of roles) {
    if (!(ROLES as readonly string[]).includes(role)) {
      throw new HostSpecError(`unknown role "${role}" (roles: ${ROLES.join(', ')})`);
    }
  }
  return roles as Role[];
}

function parseNumber(key: string, value: unknown): number {
  const number = typeof value === 'number' ? value : Number(String(value).trim());
  if (String(value).trim() === '' || !Number.isFinite(number)) {
    throw new HostSpecError(`${key} must be a number, found "${String(value)}"`);
  }
  return number;
}

function text(key: string, value: unknown): string {
  const result = String(value ?? '').trim();
  if (result === '') throw new HostSpecError(`${key} is empty`);
  return result;
}

/** A host from its fields (keys as in the spec; camelCase accepted). Throws HostSpecError. */
export function hostFromFields(fields: Record<string, unknown>): HostAnswer {
  const values = new Map<HostSpecKey, unknown>();
  for (const [rawKey, value] of Object.entries(fields)) {
    const key = camelToKebab(rawKey) as HostSpecKey;
    if (!HOST_SPEC_KEYS.includes(key)) {
      throw new HostSpecError(`unknown key "${rawKey}" (keys: ${HOST_SPEC_KEYS.join(', ')})`);
    }
    if (values.has(key)) throw new HostSpecError(`"${key}" is given twice`);
    values.set(key, value);
  }
  for (const key of ['name', 'address'] as const) {
    if (!values.has(key)) throw new HostSpecError(`${key}= is missing (e.g. ${HOST_SPEC_EXAMPLE})`);
  }
  const host: HostAnswer = {
    name: text('name', values.get('name')),
    address: text('address', values.get('address')),
    roles: values.has('roles') ? parseRoles(values.get('roles')) : [],
  };
  if (values.has('private-address'))
    host.privateAddress = text('private-address', values.get('private-address'));
  if (values.has('external-ip')) host.externalIp = text('external-ip', values.get('external-ip'));
  if (values.has('cpus')) host.cpus = parseNumber('cpus', values.get('cpus'));
  if (values.has('memory')) host.memoryGiB = parseNumber('memory', values.get('memory'));
  if (values.has('disk')) host.diskGiB = parseNumber('disk', values.get('disk'));
  return host;
}

/** `name=a,address=b,...` to a host. Throws HostSpecError with the reason. */
export function parseHostSpec(spec: string): HostAnswer {
  const fields: Record<string, string> = {};
  for (const part of spec.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new HostSpecError(`"${part}" is not key=value (e.g. ${HOST_SPEC_EXAMPLE})`);
    const key = part.slice(0, eq).trim();
    if (key in fields) throw new HostSpecError(`"${key}" is given twice`);
    fields[key] = part.slice(eq + 1);
  }
  return hostFromFields(fields);
}
