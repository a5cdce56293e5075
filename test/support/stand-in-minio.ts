import { readFileSync } from 'node:fs';
import { BUNDLE_BINARIES } from '../../src/bundle/binaries.js';
import type { StandInFiles } from './bundle.js';

/**
 * LAB STAND-INS for the bundle's MinIO server and mc builds: python3 scripts
 * (stand-ins/minio.py, stand-ins/mc.py, each saying so in its own header) under the names the
 * real builds have in binaries.tar, so the production steps download, install and run them
 * exactly as they would the real ones. The server reads MINIO_VOLUMES and the root keys from
 * the environment file, refuses unknown keys, keeps buckets, users and policies as files in its
 * drive, and reports the deployment's servers online or offline by asking them.
 */
const script = (name: string) => readFileSync(new URL(`./stand-ins/${name}`, import.meta.url), 'utf8');

export function standInMinioFiles(): StandInFiles {
  return {
    [BUNDLE_BINARIES.minioServer]: { content: script('minio.py'), mode: 0o755 },
    [BUNDLE_BINARIES.minioClient]: { content: script('mc.py'), mode: 0o755 },
  };
}
