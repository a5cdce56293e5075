import { constants } from 'node:fs';
import { access, lstat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.js';
import { inputError, type WireInstallError } from '../core/errors.js';
import { fileSystemError } from '../core/fs-errors.js';
import { regularFileOrMissing } from '../core/safe-file.js';
import { schemaCopy } from '../inventory/json-schema.js';
import { parseInventoryText } from '../inventory/load.js';
import type { InitPaths } from './prepare.js';

/**
 * The only place init writes. The inventory text is read back through the inventory loader
 * first (never write an invalid file); an existing inventory is replaced only with consent;
 * secrets come from ensureSecretsFile (src/secrets), which keeps an existing file, and are
 * made before the inventory so a failure there leaves no inventory pointing at no secrets.
 */

export type SecretsStatus = 'created' | 'kept' | 'completed';

/** The part of src/secrets' ensureSecretsFile that init uses (injected so tests can count calls). */
export type EnsureSecrets = (
  path: string,
) => Promise<{ status: SecretsStatus; modeFixed?: boolean; added?: string[] }>;

export interface WriteRequest {
  paths: InitPaths;
  /** The inventory file's full text (from prepareInventory). */
  text: string;
  /** Replace an existing inventory (--force, or the user said yes). */
  overwrite: boolean;
  ensureSecrets: EnsureSecrets;
}

export interface WriteResult {
  secretsStatus: SecretsStatus;
  /** The secrets file existed with a looser mode and was set back to 0600. */
  modeFixed: boolean;
  /** Names (never values) of the keys added to an existing secrets file. */
  added: string[];
}

/** Something is at the path (lstat: a dangling link exists too, and is not ours to replace). */
export async function fileExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Before a question is asked: the inventory and the secrets file must each be missing or a
 * regular file (never a link, a directory or a device, which init would otherwise replace or
 * chmod), and their folders, where they exist, writable (a read-only mount is named now, not
 * after the wizard).
 */
export async function checkInitTargets(paths: InitPaths): Promise<void> {
  await regularFileOrMissing(paths.inventory, 'the inventory');
  await regularFileOrMissing(paths.secrets, 'the secrets file');
  for (const dir of new Set([dirname(paths.inventory), dirname(paths.secrets)])) {
    try {
      await access(dir, constants.W_OK);
    } catch (error) {
      // A folder that does not exist yet is made when the files are written.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw fileSystemError(error, dir, 'writing the files of init in') ?? error;
    }
  }
}

export function refuseOverwrite(path: string): WireInstallError {
  return inputError({
    what: `${path} already exists; it was not overwritten and nothing was written`,
    next: 'pass --force to replace it (secrets.yaml is kept either way), or --inventory to write another file',
  });
}

export async function writeInitFiles(request: WriteRequest): Promise<WriteResult> {
  const { paths, text } = request;
  if (paths.secrets === paths.inventory) {
    throw inputError({ what: `--secrets and --inventory name the same file: ${paths.inventory}` });
  }
  // Throws the loader's input error, with file:line:column, if the text is not a valid inventory.
  parseInventoryText(text, paths.inventory);
  if (!request.overwrite && (await fileExists(paths.inventory))) throw refuseOverwrite(paths.inventory);
  // Checked again (the wizard took time): no secrets made for an inventory that cannot be written.
  await regularFileOrMissing(paths.inventory, 'the inventory');
  const secrets = await request.ensureSecrets(paths.secrets);
  await writeFileAtomic(paths.inventory, text, { mode: 0o644, role: 'the inventory' });
  // The single executable's schema, where the inventory's header points (nothing from an npm install).
  const schema = schemaCopy(paths.inventory);
  if (schema) await writeFileAtomic(schema.path, schema.text, { mode: 0o644, role: 'the inventory schema' });
  return { secretsStatus: secrets.status, modeFixed: Boolean(secrets.modeFixed), added: secrets.added ?? [] };
}
