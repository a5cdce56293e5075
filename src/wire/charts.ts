import {
  certManager,
  coturnEnabled,
  demoSmtp,
  type StepCondition,
  sftEnabled,
} from '../inventory/conditions.js';
import type { Inventory } from '../inventory/defaults.js';

type Mode = Inventory['mode'];

/**
 * Wire's Helm charts and the order they go in, as data: one list per mode, each exactly the
 * order of docs/wire/charts-values-secrets.md#install-order (production: bin/helm-operations.sh; demo: WIAB Dev's charts_to_deploy),
 * with the deviations explained in docs/plan.md:
 * - nginx-ingress-services is installed in every certificate mode, not only with cert-manager:
 *   it holds the Ingresses and, without cert-manager, the TLS secret;
 * - in a demo it comes right after the ingress controller, before the calling charts, as in
 *   production and Wire's manual order;
 * - smtp (the in-cluster relay) is left out when wire.smtp.mode is relay.
 * Every release goes into namespace default, except cert-manager (cert-manager-ns).
 * The workloads stage makes one step of each (src/steps/workloads/chart-step.ts); the values
 * (src/workloads/values/) and the upgrade's order (src/upgrade/charts/order.ts) read it too.
 */
export interface ChartDefinition<Release extends string = string> {
  release: Release;
  /** Directory under the bundle's charts/. */
  chart: string;
  namespace: string;
  modes: readonly Mode[];
  when?: StepCondition;
  why: string;
}

type ChartInfo<Release extends string = string> = Omit<ChartDefinition<Release>, 'modes'>;

// Generic in the release name, so the chart steps' ids are typed (StepId, src/steps/registry.ts).
function chart<const Release extends string>(
  release: Release,
  why: string,
  extra: Partial<Omit<ChartInfo, 'release'>> = {},
): ChartInfo<Release> {
  return { release, chart: release, namespace: 'default', why, ...extra };
}

const certManagerChart = chart(
  'cert-manager',
  "Issues Let's Encrypt certificates; its CRDs must exist before nginx-ingress-services creates an Issuer",
  { namespace: 'cert-manager-ns', when: certManager },
);
const fakeAws = chart('fake-aws', 'Local SQS and SNS for gundeck and brig; production turns fake-aws-s3 off');
const smtp = chart(
  'smtp',
  'In-cluster mail relay for verification codes; RELAY_NETWORKS must allow the pod network',
  { when: demoSmtp },
);
const reaper = chart('reaper', 'Restarts cannon when the in-cluster redis restarts');
const wireServer = chart(
  'wire-server',
  'The backend; its pre-install hooks run the schema migrations, so every database must be up first',
);
const webapp = chart('webapp', 'The web client at webapp.<domain>; a standalone chart since 4.38');
const accountPages = chart(
  'account-pages',
  'Password reset, verification and join pages at account.<domain>',
);
const teamSettings = chart('team-settings', 'Team management at teams.<domain>');
const ingressController = chart(
  'ingress-nginx-controller',
  'NodePort DaemonSet: HTTPS on 31773, HTTP on 31772, where public 443 and 80 are forwarded',
);
const ingressServices = chart(
  'nginx-ingress-services',
  'Ingresses for every Wire name and the TLS secret, or the Issuer and Certificate with cert-manager',
);
const sftd = chart('sftd', 'Conference calling (SFT) on the sftd nodes, hostNetwork, one pod per node', {
  when: sftEnabled,
});
const coturn = chart('coturn', 'TURN relay on the coturn nodes, never on an SFT node', {
  when: coturnEnabled,
});

function external<const Db extends string>(db: Db, why: string): ChartInfo<`${Db}-external`> {
  return chart(`${db}-external`, why);
}

function withModes<Release extends string>(
  info: ChartInfo<Release>,
  modes: readonly Mode[],
): ChartDefinition<Release> {
  return { ...info, modes };
}

/** Production, bin/helm-operations.sh (docs/wire/charts-values-secrets.md#install-order): the databases live on VMs, the charts point at them. */
export const PRODUCTION_CHARTS = [
  external('cassandra', 'Service cassandra-external with Endpoints at the Cassandra VMs'),
  external('elasticsearch', 'Service elasticsearch-external with Endpoints at the Elasticsearch VMs'),
  external('minio', 'Service minio-external with Endpoints at the MinIO VMs'),
  external('postgresql', 'Services postgresql-external-rw (primary) and -ro (standbys)'),
  fakeAws,
  smtp,
  external('rabbitmq', 'Service rabbitmq-external with Endpoints at the RabbitMQ VMs'),
  chart(
    'databases-ephemeral',
    'Only its redis-ephemeral is enabled in production: gundeck keeps presence in redis',
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
].map((info) => withModes(info, ['production']));

/** Demo, WIAB Dev's charts_to_deploy (docs/wire/charts-values-secrets.md#install-order): everything, databases too, inside the cluster. */
export const DEMO_CHARTS = [
  certManagerChart,
  fakeAws,
  smtp,
  chart('rabbitmq', 'In-cluster RabbitMQ for the demo (bitnami rabbitmq wrapper)'),
  chart(
    'databases-ephemeral',
    'In-cluster cassandra-, elasticsearch- and redis-ephemeral for the demo, in memory',
  ),
  chart('postgresql', "In-cluster PostgreSQL (bitnami) for brig and galley; only in Wire's demo build"),
  reaper,
  wireServer,
  webapp,
  accountPages,
  teamSettings,
  ingressController,
  ingressServices,
  coturn,
  sftd,
].map((info) => withModes(info, ['demo']));

export function chartsFor(mode: Mode): readonly ChartDefinition[] {
  return mode === 'demo' ? DEMO_CHARTS : PRODUCTION_CHARTS;
}
