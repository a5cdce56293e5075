import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChartFiles } from '../values.js';

/** The paths helm reads with -f: values first, secrets (when the release has any) last, so they win. */
export interface ReleaseFilePaths {
  values: string;
  secrets: string | undefined;
}

/**
 * Writes a release's values and secrets for helm, runs `use`, and removes them, also when `use`
 * fails. Secrets reach helm only as a file (never --set, never argv: docs/wire/charts-values-secrets.md#secrets, docs/secrets.md):
 * a private directory (0700, made by mkdtemp) holding files created 0600 before any byte is
 * written, so no other user can read them even for a moment.
 */
export async function withReleaseFiles<T>(
  release: string,
  files: ChartFiles,
  use: (paths: ReleaseFilePaths) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), `wire-install-helm-${release}-`));
  try {
    await chmod(dir, 0o700);
    const write = async (name: string, content: string) => {
      const path = join(dir, name);
      await writeFile(path, content, { mode: 0o600, flag: 'wx' });
      await chmod(path, 0o600);
      return path;
    };
    const values = await write('values.yaml', files.values);
    const secrets = files.secrets === undefined ? undefined : await write('secrets.yaml', files.secrets);
    return await use({ values, secrets });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
