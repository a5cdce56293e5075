import { minioBucketsStep } from './buckets.js';
import { minioHealthStep } from './health.js';
import { minioInstallStep } from './install.js';

/** MinIO for assets (Wire's minio.yml, docs/wire/install-sequences.md#minio-install). */
export const minioSteps = [minioInstallStep, minioBucketsStep, minioHealthStep] as const;
