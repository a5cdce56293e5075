import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isWireInstallError } from '../../../src/core/errors.js';
import type { InitAnswers } from '../../../src/init/answers.js';
import { type InitPaths, prepareInventory } from '../../../src/init/prepare.js';
import { type EnsureSecrets, writeInitFiles } from '../../../src/init/write.js';

const DEMO: InitAnswers = {
  mode: 'demo',
  domain: 'wire.example.com',
  certificates: 'self-signed',
  hosts: [{ name: 'wire', address: '192.168.122.10', roles: [] }],
  sft: false,
  coturn: true,
};

let dir: string;
let paths: InitPaths;
let ensureSecrets: ReturnType<typeof vi.fn<EnsureSecrets>>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wire-install-write-'));
  paths = { cwd: dir, inventory: join(dir, 'inventory.yaml'), secrets: join(dir, 'secrets.yaml') };
  ensureSecrets = vi.fn<EnsureSecrets>(async (path) => {
    await writeFile(path, 'fake: secrets\n', { mode: 0o600 });
    return { status: 'created' };
  });
});

afterEach(() => rm(dir, { recursive: true, force: true }));

async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isWireInstallError(error)) throw new Error(`expected an input error, got ${String(error)}`);
  expect(error.exitCode).toBe(2);
  return `${error.what} ${error.next ?? ''}`;
}

describe('writing the files of init', () => {
  it('writes the prepared inventory and makes the secrets, leaving no temporary file behind', async () => {
    const { text } = await prepareInventory(DEMO, paths);
    const result = await writeInitFiles({ paths, text, overwrite: false, ensureSecrets });
    expect(result).toEqual({ secretsStatus: 'created', modeFixed: false, added: [] });
    expect(await readFile(paths.inventory, 'utf8')).toBe(text);
    expect(ensureSecrets).toHaveBeenCalledExactlyOnceWith(paths.secrets);
    expect((await readdir(dir)).sort()).toEqual(['inventory.yaml', 'secrets.yaml']);
  });

  it('refuses to replace an existing inventory without consent, and writes nothing', async () => {
    await writeFile(paths.inventory, 'mine\n');
    const { text } = await prepareInventory(DEMO, paths);
    const message = await refusal(writeInitFiles({ paths, text, overwrite: false, ensureSecrets }));
    expect(message).toContain('already exists');
    expect(message).toContain('--force');
    expect(await readFile(paths.inventory, 'utf8')).toBe('mine\n');
    expect(ensureSecrets).not.toHaveBeenCalled();
  });

  it('replaces an existing inventory when told to', async () => {
    await writeFile(paths.inventory, 'mine\n');
    const { text } = await prepareInventory(DEMO, paths);
    await writeInitFiles({ paths, text, overwrite: true, ensureSecrets });
    expect(await readFile(paths.inventory, 'utf8')).toBe(text);
  });

  it('never writes an invalid inventory: bad answers write nothing at all', async () => {
    await expect(prepareInventory({ ...DEMO, domain: 'NOT A DOMAIN' }, paths)).rejects.toThrow(
      /does not match the inventory format/,
    );
    const { text } = await prepareInventory(DEMO, paths);
    const broken = text.replace('mode: demo', 'mode: staging');
    const message = await refusal(writeInitFiles({ paths, text: broken, overwrite: true, ensureSecrets }));
    expect(message).toContain('does not match the inventory format');
    expect(await readdir(dir)).toEqual([]);
    expect(ensureSecrets).not.toHaveBeenCalled();
  });

  it('writes no inventory when the secrets cannot be made', async () => {
    ensureSecrets.mockRejectedValueOnce(new Error('disk full'));
    const { text } = await prepareInventory(DEMO, paths);
    await expect(writeInitFiles({ paths, text, overwrite: false, ensureSecrets })).rejects.toThrow(
      'disk full',
    );
    expect(await readdir(dir)).toEqual([]);
  });

  it('refuses secrets and inventory in the same file', async () => {
    const { text } = await prepareInventory(DEMO, paths);
    const same = { ...paths, secrets: paths.inventory };
    expect(await refusal(writeInitFiles({ paths: same, text, overwrite: true, ensureSecrets }))).toContain(
      'same file',
    );
  });
});
