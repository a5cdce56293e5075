import { PRODUCTION_ONLY, type StepDefinition } from '../types.js';

/** MinIO for assets (Wire's minio.yml, FACTS 1c step 6.8). */
export const minioSteps: readonly StepDefinition[] = [
  {
    id: 'databases.minio-install',
    stage: 'databases',
    title: 'Install MinIO: two instances per host, on :9000 and :9092',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['minio'] },
    order: 'parallel',
    why: "Wire's minio.yml runs two distributed MinIO instances per host from the bundle's builds (FACTS 1c step 6.8)",
  },
  {
    id: 'databases.minio-buckets',
    stage: 'databases',
    title: 'Create the buckets and the cargohold user limited to assets',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['minio'] },
    order: 'first-host-only',
    why: 'Buckets dummy-bucket, assets, public, k8ssandra-backups; cargohold uses a least-privilege user since 5.23 (FACTS 1c, 7)',
  },
  {
    id: 'databases.minio-health',
    stage: 'databases',
    title: 'Check MinIO: every drive and node online',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['minio'] },
    order: 'first-host-only',
    why: 'Missing buckets or drives make asset uploads fail (FACTS 8.1 MinIO, 9 item 6)',
  },
];
