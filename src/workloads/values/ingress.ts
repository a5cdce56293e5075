import type { ChartOverlay, ValuesContext } from './context.js';
import { serviceHosts } from './context.js';
import { removed, type Tree } from './tree.js';

/** Where public 443 and 80 are forwarded (docs/wire/install-sequences.md#routing-traffic-to-the-ingress, docs/wire/health-and-ports.md#ports-and-firewall): the controller's NodePorts. */
export const INGRESS_NODE_PORTS = { https: 31773, http: 31772 } as const;

/** The cert-manager issuer nginx-ingress-services creates and sftd refers to (docs/wire/dns-and-certificates.md#certificates). */
export const ISSUER = { name: 'letsencrypt-http01', kind: 'ClusterIssuer' } as const;

/** Where a demo's single host takes HTTPS and HTTP itself: the controller's hostPorts. */
export const DEMO_HOST_PORTS = { https: 443, http: 80 } as const;

/**
 * The controller as a NodePort DaemonSet (production: the operator's firewall or load balancer
 * forwards 443/80 to the NodePorts, docs/wire/install-sequences.md#routing-traffic-to-the-ingress). A demo has no such thing in front of it,
 * so its controller also takes 443 and 80 on the host as hostPorts: the CNI's portmap plugin
 * (in Calico's manifest) keeps that DNAT and restores it with the pod after a reboot. This
 * replaces WIAB Dev's host DNAT to the NodePorts, which reboots lose (docs/wire/install-sequences.md#wiab-dev, docs/wire/known-problems.md#dnat-rules-lost-on-reboot) and
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
  // tls.enabled stays as Wire's example has it (true): the chart serves HTTPS either way.
  if (certificates.mode !== 'cert-manager')
    return {
      tls: { useCertManager: false },
      certManager: removed("no Let's Encrypt: cert-manager's e-mail and test mode are not used"),
    };
  return {
    tls: {
      useCertManager: true,
      createIssuer: true,
      issuer: { ...ISSUER },
    },
    // certmasterEmail is required: the chart does not render without it (docs/wire/dns-and-certificates.md#certificates).
    certManager: { certmasterEmail: certificates.email, inTestMode: certificates.staging },
  };
}

/**
 * The TLS secrets over Wire's example secrets: the ingress certificate (bring-your-own or
 * self-signed; with cert-manager it is issued in the cluster), and with federation the CA
 * certificates other backends' federation clients are checked against (`tlsClientCA`).
 */
function tlsSecrets(context: ValuesContext): Tree {
  const { inventory, certificate, federationCA } = context;
  const certManager = inventory.certificates.mode === 'cert-manager';
  const federation = inventory.wire.federation.enabled;
  return {
    secrets: {
      tlsWildcardCert: certManager
        ? removed('cert-manager issues the certificate')
        : (certificate?.chain ?? removed('the certificate is not made yet')),
      tlsWildcardKey: certManager
        ? removed('cert-manager issues the certificate')
        : (certificate?.key ?? removed('the certificate is not made yet')),
      tlsClientCA: federation
        ? (federationCA ?? removed('wire.federation.clientCA cannot be read yet'))
        : removed('federation is off'),
    },
  };
}

/**
 * The Ingresses for every name and the certificate (docs/wire/dns-and-certificates.md#certificates, docs/wire/charts-values-secrets.md#values): with cert-manager the
 * Issuer and Certificate, otherwise the TLS secret, which goes to the secrets file only.
 */
export function ingressServices(context: ValuesContext): ChartOverlay {
  const { inventory } = context;
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
  return { values, secrets: tlsSecrets(context) };
}
