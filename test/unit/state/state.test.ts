import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalJson, fingerprint } from '../../../src/state/fingerprint.js';
import { acquireLock } from '../../../src/state/lock.js';
import { StateStore } from '../../../src/state/store.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'wire-install-state-'));

describe('fingerprint', () => {
  it('depends on the inputs, not on key order', () => {
    expect(fingerprint({ a: 1, b: { c: [1, 2] } })).toBe(fingerprint({ b: { c: [1, 2] }, a: 1 }));
    expect(fingerprint({ a: 1 })).not.toBe(fingerprint({ a: 2 }));
    expect(fingerprint({ files: ['x'] })).not.toBe(fingerprint({ files: ['x', 'y'] }));
    expect(canonicalJson({ b: undefined, a: null })).toBe('{"a":null}');
  });
});

describe('state store', () => {
  it('skips only what succeeded with the same fingerprint, and survives a reopen', async () => {
    const dir = await tempDir();
    const store = await StateStore.open(dir);
    const done = { status: 'succeeded' as const, fingerprint: 'sha256:1', finishedAt: 'now', runId: 'r1' };
    await Promise.all([
      store.record('bootstrap-host.hostname', 'kubenode1', done),
      store.record('bootstrap-host.hostname', 'kubenode2', { ...done, status: 'failed', error: 'exit 1' }),
    ]);
    const reopened = await StateStore.open(dir);
    expect(reopened.isCurrent('bootstrap-host.hostname', 'kubenode1', 'sha256:1')).toBe(true);
    expect(reopened.isCurrent('bootstrap-host.hostname', 'kubenode1', 'sha256:2')).toBe(false);
    expect(reopened.isCurrent('bootstrap-host.hostname', 'kubenode2', 'sha256:1')).toBe(false);
    expect(reopened.get('bootstrap-host.hostname', 'kubenode2')?.error).toBe('exit 1');
  });

  it('refuses a corrupt state file with exit 2 and says what a fresh one means', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'state.json'), '{ not json');
    await expect(StateStore.open(dir)).rejects.toMatchObject({ exitCode: 2 });
  });
});

describe('lock', () => {
  it('refuses a second run and names the holder', async () => {
    const dir = await tempDir();
    const held = await acquireLock(dir, { command: 'apply', runId: 'r1' });
    await expect(acquireLock(dir, { command: 'apply', runId: 'r2' })).rejects.toMatchObject({
      what: expect.stringContaining(`apply (pid ${process.pid} on ${hostname()}`),
    });
    await held.release();
    const again = await acquireLock(dir, { command: 'apply', runId: 'r3' });
    expect(again.replaced).toBeUndefined();
    await again.release();
  });

  it('takes over a lock whose process is gone, and says whose it was', async () => {
    const dir = await tempDir();
    const gone = spawnSync('true').pid; // a process that has exited
    const stale = { pid: gone, hostname: hostname(), command: 'apply', runId: 'old', startedAt: 'then' };
    await writeFile(join(dir, 'lock'), JSON.stringify(stale));
    const held = await acquireLock(dir, { command: 'apply', runId: 'new' });
    expect(held.replaced).toMatchObject({ runId: 'old', pid: gone });
    expect(JSON.parse(await readFile(join(dir, 'lock'), 'utf8'))).toMatchObject({
      runId: 'new',
      pid: process.pid,
    });
    await held.release();
  });
});
