import { coturn, sftd } from './calling.js';
import type { ChartRenderer } from './context.js';
import {
  certManager,
  databasesEphemeral,
  externalIps,
  fakeAws,
  postgresql,
  postgresqlExternal,
  rabbitmq,
  smtp,
} from './databases.js';
import { ingressController, ingressServices } from './ingress.js';
import { accountPages, teamSettings, webapp } from './web-apps.js';
import { wireServer } from './wire-server.js';

/** What the inventory sets in each chart (by directory under the bundle's charts/); a chart not listed keeps the example as it is. */
export const CHART_RENDERERS: Record<string, ChartRenderer> = {
  'cassandra-external': externalIps('cassandra'),
  'elasticsearch-external': externalIps('elasticsearch'),
  'minio-external': externalIps('minio'),
  'rabbitmq-external': externalIps('rabbitmq'),
  'postgresql-external': postgresqlExternal,
  'databases-ephemeral': databasesEphemeral,
  'fake-aws': fakeAws,
  smtp,
  rabbitmq,
  postgresql,
  'cert-manager': certManager,
  'wire-server': wireServer,
  webapp,
  'account-pages': accountPages,
  'team-settings': teamSettings,
  'ingress-nginx-controller': ingressController,
  'nginx-ingress-services': ingressServices,
  sftd,
  coturn,
};
