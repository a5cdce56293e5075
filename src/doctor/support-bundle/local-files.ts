import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readTextIfExists } from '../../core/read-text.js';
import { STATE_DIR } from '../../state/store.js';

/**
 * The admin host's files a support bundle carries: the inventory and what .wire-install/ keeps
 * that is not secret. An allow list, not a deny list, so a file added there later is not carried
 * until someone decided it may be: never secrets.yaml, admin.conf (cluster admin credentials) or
 * certificates/*.key. Everything is still redacted before it is written.
 */
export const NEWEST_LOGS = 10;
/** A debug log of a long run can be large; its end is where the failure is. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

export interface LocalFile {
  /** Path inside the bundle. */
  name: string;
  text: string;
}

async function readTail(path: string): Promise<string | undefined> {
  const text = await readTextIfExists(path);
  if (text === undefined || text.length <= MAX_FILE_BYTES) return text;
  return `(first ${text.length - MAX_FILE_BYTES} characters left out)\n${text.slice(-MAX_FILE_BYTES)}`;
}

async function listFiles(dir: string, suffix: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && e.name.endsWith(suffix))
      .map((e) => e.name)
      .sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The newest `count` files of logs/, by modification time. */
async function newestLogs(dir: string, count: number): Promise<string[]> {
  const names = await listFiles(dir, '.log');
  const dated = await Promise.all(
    names.map(async (name) => ({ name, mtime: (await stat(join(dir, name))).mtimeMs })),
  );
  return dated
    .sort((a, b) => b.mtime - a.mtime || b.name.localeCompare(a.name))
    .slice(0, count)
    .map((entry) => entry.name);
}

export async function collectLocalFiles(inventoryFile: string, inventoryDir: string): Promise<LocalFile[]> {
  const state = join(inventoryDir, STATE_DIR);
  const wanted: { name: string; path: string }[] = [
    { name: 'inventory.yaml', path: inventoryFile },
    { name: 'wire-install/state.json', path: join(state, 'state.json') },
    // Host keys are public; which were trusted tells support about host-key problems.
    { name: 'wire-install/known_hosts', path: join(state, 'known_hosts') },
    ...(await listFiles(join(state, 'releases'), '.json')).map((file) => ({
      name: `wire-install/releases/${file}`,
      path: join(state, 'releases', file),
    })),
    // The values each release was applied with: no secret in them by contract (last-applied.ts).
    ...(await listFiles(join(state, 'values'), '.yaml')).map((file) => ({
      name: `wire-install/values/${file}`,
      path: join(state, 'values', file),
    })),
    // The certificates (public), not their keys.
    ...(await listFiles(join(state, 'certificates'), '.crt')).map((file) => ({
      name: `wire-install/certificates/${file}`,
      path: join(state, 'certificates', file),
    })),
    ...(await newestLogs(join(state, 'logs'), NEWEST_LOGS)).map((file) => ({
      name: `wire-install/logs/${file}`,
      path: join(state, 'logs', file),
    })),
  ];
  const files: LocalFile[] = [];
  for (const { name, path } of wanted) {
    const text = await readTail(path);
    if (text !== undefined) files.push({ name, text });
  }
  return files;
}
