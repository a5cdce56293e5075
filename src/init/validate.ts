import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_POD_CIDR, DEFAULT_SERVICE_CIDR } from '../inventory/defaults.js';
import { domainName, hostSchema } from '../inventory/schema.js';
import { ipInCidr, unusableKind } from '../rules/ip.js';
import type { HostAnswer } from './answers.js';

/**
 * Checks for single answers, shared by the wizard (shown under the prompt as it is typed) and
 * by flags (wrapped into an input error that names the flag). Each returns `true` or the reason
 * the answer is refused, in words a sysadmin can act on. The format itself comes from the
 * inventory schema, so the wizard never accepts what the inventory would refuse.
 */
export type Check<T> = (value: T) => true | string;

function fromSchema(schema: z.ZodType, value: unknown): true | string {
  const result = schema.safeParse(value);
  return result.success ? true : (result.error.issues[0]?.message ?? 'is not valid');
}

export function checkDomain(value: string): true | string {
  if (value.trim() === '') return 'a domain is required, e.g. wire.example.com';
  if (value !== value.toLowerCase()) return `must be lower case: ${value.toLowerCase()}`;
  return fromSchema(domainName, value);
}

export function checkEmail(value: string): true | string {
  return fromSchema(z.email('must be an e-mail address, e.g. certmaster@example.com'), value);
}

export function checkIp(value: string): true | string {
  return isIP(value) ? true : 'must be an IPv4 or IPv6 address, e.g. 192.168.122.21';
}

/** An SSH address: an IP or a DNS name. */
export function checkAddressFormat(value: string): true | string {
  if (value.trim() === '') return 'an address is required (IP or DNS name)';
  if (isIP(value)) return true;
  const name = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
  return name.test(value) ? true : 'must be an IP address or a DNS name, e.g. 192.168.122.21';
}

export function checkPort(value: number | undefined): true | string {
  if (value === undefined) return 'a port is required';
  return Number.isInteger(value) && value >= 1 && value <= 65535
    ? true
    : 'must be a whole number from 1 to 65535';
}

export function checkPositiveInteger(value: number | undefined): true | string {
  if (value === undefined) return true;
  return Number.isInteger(value) && value > 0 ? true : 'must be a whole number above 0';
}

export function checkPositive(value: number | undefined): true | string {
  if (value === undefined) return true;
  return Number.isFinite(value) && value > 0 ? true : 'must be a number above 0';
}

export function checkNotEmpty(value: string): true | string {
  return value.trim() === '' ? 'an answer is required' : true;
}

/** Every address a host occupies: what SSH connects to, and its private address. */
function addressesOf(host: HostAnswer): string[] {
  return [host.address, host.privateAddress].filter((a): a is string => a !== undefined);
}

/** A host name: a lower-case hostname label, not used by another host. */
export function checkHostName(value: string, others: readonly HostAnswer[]): true | string {
  const format = fromSchema(hostSchema.shape.name, value);
  if (format !== true) return format;
  return others.some((host) => host.name === value) ? `${value} is already the name of another host` : true;
}

/**
 * A host IP must be usable and outside Kubernetes' own networks (init keeps Wire's default pod
 * and service CIDRs, docs/wire/inventory-and-hardware.md#os-and-network-rules), as the address rules require; refused here as it is typed.
 */
export function checkUsableHostIp(value: string): true | string {
  if (!isIP(value)) return true;
  const unusable = unusableKind(value);
  if (unusable) return `${value} is a ${unusable} address; a host needs one the other hosts can reach`;
  for (const [cidr, network] of [
    [DEFAULT_SERVICE_CIDR, 'service'],
    [DEFAULT_POD_CIDR, 'pod'],
  ] as const) {
    if (ipInCidr(value, cidr)) {
      return `${value} is inside Kubernetes' ${network} network ${cidr}; use another address (Wire advises 192.168.x or 172.16-31.x)`;
    }
  }
  return true;
}

/** A host address (SSH or private): well formed and not used by another host already entered. */
export function checkHostAddress(
  value: string,
  others: readonly HostAnswer[],
  format: Check<string> = checkAddressFormat,
): true | string {
  const valid = format(value);
  if (valid !== true) return valid;
  const usable = checkUsableHostIp(value);
  if (usable !== true) return usable;
  const taken = others.find((host) => addressesOf(host).includes(value));
  return taken ? `${value} is already the address of ${taken.name}` : true;
}

/** A whole-host check, for hosts that arrive in one piece (flags, answers file). */
export function checkHost(host: HostAnswer, others: readonly HostAnswer[]): true | string {
  const checks: [string, true | string][] = [
    ['name', checkHostName(host.name, others)],
    ['address', checkHostAddress(host.address, others)],
    [
      'private-address',
      host.privateAddress === undefined ? true : checkHostAddress(host.privateAddress, others, checkIp),
    ],
    ['external-ip', host.externalIp === undefined ? true : checkIp(host.externalIp)],
    ['cpus', checkPositiveInteger(host.cpus)],
    ['memory', checkPositive(host.memoryGiB)],
    ['disk', checkPositive(host.diskGiB)],
  ];
  const failed = checks.find(([, result]) => result !== true);
  return failed ? `${failed[0]}: ${failed[1]}` : true;
}

/** The checks flags are held to, by the name flag-specs.ts uses. */
export const FLAG_CHECKS = {
  domain: checkDomain,
  notEmpty: checkNotEmpty,
  email: checkEmail,
  address: checkAddressFormat,
  port: checkPort,
  positiveInteger: checkPositiveInteger,
} as const;

export type FlagCheck = keyof typeof FLAG_CHECKS;
