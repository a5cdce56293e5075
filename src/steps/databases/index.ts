import { cassandraSteps } from './cassandra/index.js';
import { elasticsearchSteps } from './elasticsearch/index.js';
import { minioSteps } from './minio/index.js';
import { postgresqlSteps } from './postgresql/index.js';
import { rabbitmqSteps } from './rabbitmq/index.js';

/**
 * Production databases on their own VMs, in the order of Wire's offline-cluster.sh
 * (docs/wire/install-sequences.md#cluster-and-databases-playbooks): Cassandra, Elasticsearch, MinIO, PostgreSQL, RabbitMQ. Each
 * ends in its health check, so a broken database stops the install before wire-server's
 * migrations meet it. A demo runs these inside the cluster instead (the stage is skipped).
 */
export const databaseSteps = [
  ...cassandraSteps,
  ...elasticsearchSteps,
  ...minioSteps,
  ...postgresqlSteps,
  ...rabbitmqSteps,
] as const;
