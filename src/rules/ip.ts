import { BlockList, isIP, isIPv4 } from 'node:net';

/**
 * IP helpers for the address rules. IPv4 CIDR math is plain arithmetic (no bitwise
 * operators: they are signed 32-bit in JavaScript); classification uses node's BlockList,
 * which also handles IPv6 and IPv4-mapped IPv6 addresses.
 */

export interface Ipv4Cidr {
  /** The CIDR as written. */
  cidr: string;
  prefix: number;
  /** First and last address of the range, as numbers. */
  first: number;
  last: number;
}

function ipv4ToNumber(ip: string): number | undefined {
  if (!isIPv4(ip)) return undefined;
  return ip.split('.').reduce((total, octet) => total * 256 + Number(octet), 0);
}

/** An IPv4 CIDR such as 10.233.64.0/18; undefined when it is not one. */
export function parseCidr(cidr: string): Ipv4Cidr | undefined {
  const match = /^([^/]+)\/(\d{1,2})$/.exec(cidr);
  if (!match?.[1] || !match[2]) return undefined;
  const prefix = Number(match[2]);
  const base = ipv4ToNumber(match[1]);
  if (base === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  const first = Math.floor(base / size) * size;
  return { cidr, prefix, first, last: first + size - 1 };
}

/** Whether an IPv4 address lies inside an IPv4 CIDR. IPv6 addresses never do. */
export function ipInCidr(ip: string, cidr: string): boolean {
  const value = ipv4ToNumber(ip);
  const range = parseCidr(cidr);
  return value !== undefined && range !== undefined && value >= range.first && value <= range.last;
}

export function cidrsOverlap(a: string, b: string): boolean {
  const left = parseCidr(a);
  const right = parseCidr(b);
  return left !== undefined && right !== undefined && left.first <= right.last && right.first <= left.last;
}

/** Addresses no host can use as its stable, reachable address. */
export type UnusableKind = 'unspecified' | 'loopback' | 'link-local' | 'multicast' | 'broadcast';

function blockList(subnets: readonly string[]): BlockList {
  const list = new BlockList();
  for (const subnet of subnets) {
    const [network = '', prefix = ''] = subnet.split('/');
    list.addSubnet(network, Number(prefix), isIPv4(network) ? 'ipv4' : 'ipv6');
  }
  return list;
}

const UNUSABLE: readonly [UnusableKind, BlockList][] = [
  ['unspecified', blockList(['0.0.0.0/8', '::/128'])],
  ['loopback', blockList(['127.0.0.0/8', '::1/128'])],
  ['link-local', blockList(['169.254.0.0/16', 'fe80::/10'])],
  ['multicast', blockList(['224.0.0.0/4', 'ff00::/8'])],
  ['broadcast', blockList(['255.255.255.255/32'])],
];

/** RFC 1918, carrier-grade NAT (RFC 6598) and IPv6 unique local: not reachable from the internet. */
const PRIVATE = blockList(['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7']);

function family(ip: string): 'ipv4' | 'ipv6' | undefined {
  const version = isIP(ip);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

export function unusableKind(ip: string): UnusableKind | undefined {
  const type = family(ip);
  if (!type) return undefined;
  return UNUSABLE.find(([, list]) => list.check(ip, type))?.[0];
}

export function isPrivateAddress(ip: string): boolean {
  const type = family(ip);
  return type !== undefined && PRIVATE.check(ip, type);
}

/** The host part of an endpoint written as `ip`, `ip:port`, `[v6]:port` or `https://...`. */
export function endpointHost(endpoint: string): string {
  const withoutScheme = endpoint.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(withoutScheme);
  if (bracketed?.[1]) return bracketed[1];
  if (isIP(withoutScheme)) return withoutScheme;
  return withoutScheme.replace(/:\d+$/, '');
}
