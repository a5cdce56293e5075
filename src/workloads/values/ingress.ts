import type { ChartOverlay, ValuesContext } from './context.js';
import { serviceHosts } from './context.js';
import type { Tree } from './tree.js';

/** Where public 443 and 80 are forwarded (FACTS 1c step 9, 8.2): the controller's NodePorts. */
export const INGRESS_NODE_PORTS = { https: 31773, http: 31772 } as const;

/** The cert-manager issuer nginx-ingress-services creates and sftd refers to (FACTS 4.2). */
export const ISSUER = { name: 'letsencrypt-http01', kind: 'ClusterIssuer' } as const;

/** Where a demo's single host takes HTTPS and HTTP itself: the controller's hostPorts. */
export const DEMO_HOST_PORTS = { https: 443, http: 80 } as const;

/**
 * The controller as a NodePort DaemonSet (production: the operator's firewall or load balancer
 * forwards 443/80 to the NodePorts, FACTS 1c step 9). A demo has no such thing in front of it,
 * so its controller also takes 443 and 80 on the host as hostPorts: the CNI's portmap plugin
 * (in Calico's manifest) keeps that DNAT and restores it with the pod after a reboot. This
 * replaces WIAB Dev's host DNAT to the NodePorts, which reboots lose (FACTS 1a, 11.11) and
 * which on a kubeadm host would sit in front of kube-proxy's own NodePort DNAT.
 */
export function ingressController({ inventory }: ValuesContext): ChartOverlay {
  return {
    values: {
      'ingress-nginx': {
        controller: {
          kind: 'DaemonSet',
          service: { type: 'NodePort', nodePorts: { ...INGRESS_NODE_PORTS } },
          ...(inventory.mode === 'demo'
            ? { hostPort: { enabled: true, ports: { ...DEMO_HOST_PORTS } } }
            : {}),
        },
      },
    },
    secrets: undefined,
  };
}

function tlsValues({ inventory }: ValuesContext): Tree {
  const { certificates } = inventory;
  if (certificates.mode !== 'cert-manager') return { tls: { enabled: true, useCertManager: false } };
  return {
    tls: {
      enabled: true,
      useCertManager: true,
      createIssuer: true,
      issuer: { ...ISSUER },
    },
    // certmasterEmail is required: the chart does not render without it (FACTS 4.2).
    certManager: { certmasterEmail: certificates.email, inTestMode: certificates.staging },
  };
}

/**
 * The Ingresses for every name and the certificate (FACTS 4.2, 5.3): with cert-manager the
 * Issuer and Certificate, otherwise the TLS secret, which goes to the secrets file only.
 */
export function ingressServices(context: ValuesContext): ChartOverlay {
  const { inventory, certificate } = context;
  const { domain } = inventory;
  const federation = inventory.wire.federation.enabled;
  const hosts = serviceHosts(inventory);
  const values: Tree = {
    teamSettings: { enabled: true },
    accountPages: { enabled: true },
    websockets: { enabled: true },
    webapp: { enabled: true },
    fakeS3: { enabled: true },
    federator: { enabled: federation },
    ...tlsValues(context),
    config: {
      dns: {
        https: `nginz-https.${domain}`,
        ssl: `nginz-ssl.${domain}`,
        webapp: `webapp.${domain}`,
        fakeS3: `assets.${domain}`,
        teamSettings: `teams.${domain}`,
        accountPages: `account.${domain}`,
        ...(federation ? { federator: `federator.${domain}` } : {}),
      },
    },
    service: { useFakeS3: true, s3: { externalPort: 9000, serviceName: hosts.s3Service } },
  };
  const withTlsSecret = inventory.certificates.mode !== 'cert-manager' && certificate !== undefined;
  return {
    values,
    secrets: withTlsSecret
      ? { secrets: { tlsWildcardCert: certificate.chain, tlsWildcardKey: certificate.key } }
      : undefined,
  };
}
