import { hostsWithRole, type Inventory } from '../../inventory/defaults.js';
import type { ChartOverlay, ValuesContext } from './context.js';
import { wireUrls } from './context.js';
import { ISSUER } from './ingress.js';
import { replacing, type Tree } from './tree.js';

/**
 * The calling charts on their nodes (docs/wire/install-sequences.md#calling-nodes, docs/wire/charts-values-secrets.md#values). src/cluster/calling-labels.ts labels a node
 * wire.com/role=sftd or =coturn (sftd when a host has both, as in a demo) and annotates
 * wire.com/external-ip; the selectors here match those labels.
 */

/** coturn's nodes: by role label when every coturn host carries it, else by host name (a host that also runs sftd is labelled sftd). */
export function coturnNodeSelector(inventory: Inventory): Tree {
  const hosts = hostsWithRole(inventory, 'coturn');
  const labelled = hosts.every((host) => !host.roles.includes('sftd'));
  if (labelled || hosts.length !== 1) return replacing({ 'wire.com/role': 'coturn' });
  return replacing({ 'kubernetes.io/hostname': hosts[0]?.name ?? '' });
}

export function sftd(context: ValuesContext): ChartOverlay {
  const { inventory, certificate } = context;
  const url = wireUrls(inventory.domain);
  const certManager = inventory.certificates.mode === 'cert-manager';
  return {
    values: {
      host: `sftd.${inventory.domain}`,
      // Must be the webapp's origin, or browsers refuse the SFT's answers (docs/wire/charts-values-secrets.md#values).
      allowOrigin: url.webapp,
      replicaCount: inventory.wire.calling.sft.replicas,
      nodeSelector: replacing({ 'wire.com/role': 'sftd' }),
      // Either the issuer or the certificate in the secrets file, never both (docs/wire/charts-values-secrets.md#values).
      tls: replacing(certManager ? { issuerRef: { ...ISSUER } } : {}),
    },
    // sftd reuses the ingress certificate when there is no cert-manager (docs/wire/dns-and-certificates.md#certificates).
    secrets:
      !certManager && certificate ? { tls: { crt: certificate.chain, key: certificate.key } } : undefined,
  };
}

/**
 * coturn listens on the node's address and announces the external IP its init container reads
 * from the node annotation (placeholders of Wire's chart, docs/wire/charts-values-secrets.md#values); without NAT, the host's.
 */
export function coturn(context: ValuesContext): ChartOverlay {
  const { inventory, secrets } = context;
  const hosts = hostsWithRole(inventory, 'coturn');
  const behindNat = hosts.some((host) => host.externalIp !== undefined);
  return {
    values: {
      replicaCount: Math.max(hosts.length, 1),
      nodeSelector: coturnNodeSelector(inventory),
      coturnTurnListenIP: '__COTURN_HOST_IP__',
      coturnTurnRelayIP: '__COTURN_HOST_IP__',
      coturnTurnExternalIP: behindNat ? '__COTURN_EXT_IP__' : '__COTURN_HOST_IP__',
    },
    // The same TURN secret as brig's turn.secret (docs/wire/charts-values-secrets.md#secrets).
    secrets: { secrets: { zrestSecrets: [secrets.turnSecret] } },
  };
}
