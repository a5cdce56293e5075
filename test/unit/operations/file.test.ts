import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { localHost } from '../../../src/hosts/local-host.js';
import type { ExecOptions, RemoteHost } from '../../../src/hosts/types.js';
import { applyFile, checkFile } from '../../../src/operations/file.js';

/**
 * applyFile's one round trip (inspect, then write unless the file is as wanted), run by this
 * machine's sh through the admin host in a folder of its own. test/lab/file-operation.test.ts
 * does the same on a lab host over SSH.
 */

let dir: string;
let commands: string[];
let host: RemoteHost;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wil-file-'));
  commands = [];
  const local = localHost();
  host = {
    ...local,
    exec: (command: string, options?: ExecOptions) => {
      commands.push(command);
      return local.exec(command, options);
    },
  };
});

const me = userInfo().username;

describe('applyFile', () => {
  it('creates the file in one command, then finds it current without writing it again', async () => {
    const spec = { path: join(dir, 'app.conf'), content: 'secret=not-on-argv\n', mode: 0o600, owner: me };
    expect(await applyFile(host, spec)).toEqual({
      path: spec.path,
      action: 'create',
      differences: ['new file'],
    });
    expect(commands).toHaveLength(1);
    expect(readFileSync(spec.path, 'utf8')).toBe(spec.content);
    expect(statSync(spec.path).mode & 0o777).toBe(0o600);
    const inode = statSync(spec.path).ino;
    expect(await applyFile(host, spec)).toEqual({ path: spec.path, action: 'none', differences: [] });
    expect(statSync(spec.path).ino).toBe(inode); // not renamed over: left as it was
    expect(readdirSync(dir)).toEqual(['app.conf']); // no temporary file left
    expect(commands.some((command) => command.includes('not-on-argv'))).toBe(false);
  });

  it('updates exactly what differs, as checkFile says it would', async () => {
    const spec = { path: join(dir, 'app.conf'), content: 'a\n', mode: 0o644 };
    writeFileSync(spec.path, 'b\n', { mode: 0o600 });
    const expected = { path: spec.path, action: 'update', differences: ['content', 'mode 600 -> 644'] };
    expect(await checkFile(host, spec)).toEqual(expected);
    expect(await applyFile(host, spec)).toEqual(expected);
    expect(readFileSync(spec.path, 'utf8')).toBe('a\n');
    expect(await applyFile(host, { ...spec, mode: 0o640 })).toEqual({
      path: spec.path,
      action: 'update',
      differences: ['mode 644 -> 640'],
    });
    expect(statSync(spec.path).mode & 0o777).toBe(0o640);
  });

  it('inspects first and sends a large content only when it is needed', async () => {
    const spec = { path: join(dir, 'big.bin'), content: 'x'.repeat(100_000), mode: 0o644 };
    expect((await applyFile(host, spec)).action).toBe('create');
    expect(commands).toHaveLength(2);
    expect(readFileSync(spec.path, 'utf8')).toBe(spec.content);
    expect((await applyFile(host, spec)).action).toBe('none');
    expect(commands).toHaveLength(3);
  });

  it('says what failed: the write where the folder is missing, the inspection of a file it cannot read', async () => {
    const spec = { path: join(dir, 'missing-dir', 'app.conf'), content: 'a\n', mode: 0o644 };
    await expect(applyFile(host, spec)).rejects.toThrow(/cannot write .*missing-dir/);
    writeFileSync(join(dir, 'unreadable'), 'x', { mode: 0o000 });
    if (process.getuid?.() !== 0)
      await expect(applyFile(host, { ...spec, path: join(dir, 'unreadable') })).rejects.toThrow(
        /cannot inspect/,
      );
  });
});
