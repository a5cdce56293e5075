import { inputError } from '../core/errors.js';
import type { Inventory } from '../inventory/defaults.js';
import { trafficAddress } from '../inventory/defaults.js';

/**
 * Where the verify stage reaches the ingress. Every name of Wire points at the ingress (docs/wire/dns-and-certificates.md#required-dns-names),
 * whose public address sits behind the operator's DNAT or load balancer and is unknown to
 * wire-install (preflight.dns checks the names). What wire-install installs, and what it can
 * check, is the ingress-nginx controller's HTTPS NodePort 31773 (docs/wire/charts-values-secrets.md#charts-and-versions, docs/wire/health-and-ports.md#ports-and-firewall), open on every
 * Kubernetes node: verify connects to the first kube-worker's address on that port, with the
 * Wire name as TLS SNI and Host header, so DNS and the operator's forwarding are not part of
 * the answer. An inventory without kube-worker hosts (an existing cluster) is reached through
 * nginz-https.<domain>:443 as DNS resolves it. WIRE_INSTALL_INGRESS=host:port overrides both
 * (tests; an operator whose nodes are not reachable from the admin host).
 */
export const INGRESS_HTTPS_NODE_PORT = 31773;
export const INGRESS_OVERRIDE_ENV = 'WIRE_INSTALL_INGRESS';

export interface IngressEndpoint {
  host: string;
  port: number;
  /** Why this address, for messages. */
  source: string;
}

function parseOverride(value: string): IngressEndpoint {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!host || !Number.isInteger(port) || port < 1 || port > 65535)
    throw inputError({
      what: `${INGRESS_OVERRIDE_ENV} must be host:port (e.g. 203.0.113.10:443 or [2001:db8::1]:443), found "${value}"`,
      next: `set ${INGRESS_OVERRIDE_ENV} to the address and port verify should connect to, or unset it`,
    });
  return { host, port, source: INGRESS_OVERRIDE_ENV };
}

export function ingressEndpoint(inventory: Inventory, env: NodeJS.ProcessEnv = process.env): IngressEndpoint {
  const override = env[INGRESS_OVERRIDE_ENV];
  if (override) return parseOverride(override);
  const worker = inventory.hosts.find((host) => host.roles.includes('kube-worker'));
  if (worker)
    return {
      host: trafficAddress(worker),
      port: INGRESS_HTTPS_NODE_PORT,
      source: `the ingress NodePort on ${worker.name}`,
    };
  return { host: `nginz-https.${inventory.domain}`, port: 443, source: 'DNS' };
}

export const describeEndpoint = (endpoint: IngressEndpoint) =>
  `${endpoint.host}:${endpoint.port} (${endpoint.source})`;

/** A malformed WIRE_INSTALL_INGRESS is bad input, refused before any host is contacted (exit 2). */
export async function checkIngressOverride(inventory: Inventory): Promise<void> {
  ingressEndpoint(inventory);
}
