import type { DoctorCheck } from '../types.js';
import { databasesCassandra } from './databases-cassandra.js';
import { databasesElasticsearch } from './databases-elasticsearch.js';
import { databasesMinio } from './databases-minio.js';
import { databasesPostgresql } from './databases-postgresql.js';
import { databasesRabbitmq } from './databases-rabbitmq.js';

/** doctor's databases checks (docs/doctor.md): the database hosts' own health reads, over SSH. */
export const DATABASES_CHECKS: readonly DoctorCheck[] = [
  databasesCassandra,
  databasesElasticsearch,
  databasesMinio,
  databasesPostgresql,
  databasesRabbitmq,
];
