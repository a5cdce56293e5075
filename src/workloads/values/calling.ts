import { hostsWithRole, type Inventory } from '../../inventory/defaults.js';
import type { ChartOverlay, ValuesContext } from './context.js';
import { wireUrls } from './context.js';
import { ISSUER } from './ingress.js';
import { replacing, type Tree } from './tree.js';

/**
 * The calling charts on their nodes (FACTS 1c step 10, 5.3). kubernetes-admin.ts labels a node
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
      // Must be the webapp's origin, or browsers refuse the SFT's answers (FACTS 5.3).
      allowOrigin: url.webapp,
      replicaCount: inventory.wire.calling.sft.replicas,
      nodeSelector: replacing({ 'wire.com/role': 'sftd' }),
      // Either the issuer or the certificate in the secrets file, never both (FACTS 5.3).
      tls: replacing(certManager ? { issuerRef: { ...ISSUER } } : {}),
    },
    // sftd reuses the ingress certificate when there is no cert-manager (FACTS 4.2).
    secrets:
      !certManager && certificate ? { tls: { crt: certificate.chain, key: certificate.key } } : undefined,
  };
}

/**
 * coturn listens on the node's address and announces the external IP its init container reads
 * from the node annotation (placeholders of Wire's chart, FACTS 5.3); without NAT, the host's.
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
    // The same TURN secret as brig's turn.secret (FACTS 5.4).
    secrets: { secrets: { zrestSecrets: [secrets.turnSecret] } },
  };
}
