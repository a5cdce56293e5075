import { PRODUCTION_ONLY, type StepDefinition } from '../types.js';

/** MinIO for assets (Wire's minio.yml, docs/wire/install-sequences.md#minio-install). */
export const minioSteps: readonly StepDefinition[] = [
  {
    id: 'databases.minio-install',
    stage: 'databases',
    title: 'Install MinIO: two instances per host, on :9000 and :9092',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['minio'] },
    order: 'parallel',
    why: "Wire's minio.yml runs two distributed MinIO instances per host from the bundle's builds",
  },
  {
    id: 'databases.minio-buckets',
    stage: 'databases',
    title: 'Create the buckets and the cargohold user limited to assets',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['minio'] },
    order: 'first-host-only',
    why: 'Buckets dummy-bucket, assets, public, k8ssandra-backups; cargohold uses a least-privilege user since 5.23',
  },
  {
    id: 'databases.minio-health',
    stage: 'databases',
    title: 'Check MinIO: every drive and node online',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['minio'] },
    order: 'first-host-only',
    why: 'Missing buckets or drives make asset uploads fail',
  },
];
