import { certManager, coturnEnabled, demoSmtp, sftEnabled } from '../conditions.js';
import type { Mode, StepCondition } from '../types.js';

/**
 * Wire's Helm charts and the order they go in, as data: one list per mode, each exactly the
 * order of FACTS 5.2 (production: bin/helm-operations.sh; demo: WIAB Dev's charts_to_deploy),
 * with the deviations explained in docs/plan.md:
 * - nginx-ingress-services is installed in every certificate mode, not only with cert-manager:
 *   it holds the Ingresses and, without cert-manager, the TLS secret;
 * - in a demo it comes right after the ingress controller, before the calling charts, as in
 *   production and Wire's manual order;
 * - smtp (the in-cluster relay) is left out when wire.smtp.mode is relay.
 * Every release goes into namespace default, except cert-manager (cert-manager-ns).
 */
export interface ChartDefinition {
  release: string;
  /** Directory under the bundle's charts/. */
  chart: string;
  namespace: string;
  modes: readonly Mode[];
  when?: StepCondition;
  why: string;
}

type ChartInfo = Omit<ChartDefinition, 'modes'>;

function chart(release: string, why: string, extra: Partial<ChartInfo> = {}): ChartInfo {
  return { release, chart: release, namespace: 'default', why, ...extra };
}

const certManagerChart = chart(
  'cert-manager',
  "Issues Let's Encrypt certificates; its CRDs must exist before nginx-ingress-services creates an Issuer (FACTS 4.2)",
  { namespace: 'cert-manager-ns', when: certManager },
);
const fakeAws = chart(
  'fake-aws',
  'Local SQS and SNS for gundeck and brig; production turns fake-aws-s3 off (FACTS 5.1)',
);
const smtp = chart(
  'smtp',
  'In-cluster mail relay for verification codes; RELAY_NETWORKS must allow the pod network (FACTS 1c step 8)',
  { when: demoSmtp },
);
const reaper = chart('reaper', 'Restarts cannon when the in-cluster redis restarts (FACTS 5.1)');
const wireServer = chart(
  'wire-server',
  'The backend; its pre-install hooks run the schema migrations, so every database must be up first (FACTS 5.2, 6)',
);
const webapp = chart(
  'webapp',
  'The web client at webapp.<domain>; a standalone chart since 4.38 (FACTS 5.1)',
);
const accountPages = chart(
  'account-pages',
  'Password reset, verification and join pages at account.<domain> (FACTS 4.1)',
);
const teamSettings = chart('team-settings', 'Team management at teams.<domain> (FACTS 4.1, 5.1)');
const ingressController = chart(
  'ingress-nginx-controller',
  'NodePort DaemonSet: HTTPS on 31773, HTTP on 31772, where public 443 and 80 are forwarded (FACTS 1c step 9)',
);
const ingressServices = chart(
  'nginx-ingress-services',
  'Ingresses for every Wire name and the TLS secret, or the Issuer and Certificate with cert-manager (FACTS 4.2, 5.1)',
);
const sftd = chart(
  'sftd',
  'Conference calling (SFT) on the sftd nodes, hostNetwork, one pod per node (FACTS 1c step 10, 3.4)',
  {
    when: sftEnabled,
  },
);
const coturn = chart(
  'coturn',
  'TURN relay on the coturn nodes, never on an SFT node (FACTS 1c step 10, 5.1)',
  {
    when: coturnEnabled,
  },
);

function external(db: string, why: string): ChartInfo {
  return chart(`${db}-external`, why);
}

/** Production, bin/helm-operations.sh (FACTS 5.2): the databases live on VMs, the charts point at them. */
export const PRODUCTION_CHARTS: readonly ChartDefinition[] = [
  external('cassandra', 'Service cassandra-external with Endpoints at the Cassandra VMs (FACTS 5.1)'),
  external(
    'elasticsearch',
    'Service elasticsearch-external with Endpoints at the Elasticsearch VMs (FACTS 5.1)',
  ),
  external('minio', 'Service minio-external with Endpoints at the MinIO VMs (FACTS 5.1)'),
  external('postgresql', 'Services postgresql-external-rw (primary) and -ro (standbys) (FACTS 5.1)'),
  fakeAws,
  smtp,
  external('rabbitmq', 'Service rabbitmq-external with Endpoints at the RabbitMQ VMs (FACTS 5.1)'),
  chart(
    'databases-ephemeral',
    'Only its redis-ephemeral is enabled in production: gundeck keeps presence in redis (FACTS 5.1, 11.5)',
  ),
  reaper,
  wireServer,
  webapp,
  accountPages,
  teamSettings,
  ingressController,
  certManagerChart,
  ingressServices,
  sftd,
  coturn,
].map((info) => ({ ...info, modes: ['production'] }));

/** Demo, WIAB Dev's charts_to_deploy (FACTS 5.2): everything, databases too, inside the cluster. */
export const DEMO_CHARTS: readonly ChartDefinition[] = [
  certManagerChart,
  fakeAws,
  smtp,
  chart('rabbitmq', 'In-cluster RabbitMQ for the demo (bitnami rabbitmq wrapper) (FACTS 5.1, 5.2)'),
  chart(
    'databases-ephemeral',
    'In-cluster cassandra-, elasticsearch- and redis-ephemeral for the demo, in memory (FACTS 1a, 5.2)',
  ),
  chart(
    'postgresql',
    "In-cluster PostgreSQL (bitnami) for brig and galley; only in Wire's demo build (FACTS 1e, 5.1)",
  ),
  reaper,
  wireServer,
  webapp,
  accountPages,
  teamSettings,
  ingressController,
  ingressServices,
  coturn,
  sftd,
].map((info) => ({ ...info, modes: ['demo'] }));

export function chartsFor(mode: Mode): readonly ChartDefinition[] {
  return mode === 'demo' ? DEMO_CHARTS : PRODUCTION_CHARTS;
}
