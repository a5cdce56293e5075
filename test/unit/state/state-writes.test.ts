import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { StateStore, type StepRecord } from '../../../src/state/store.js';

/** The state file's writes, counted (each is the real atomic write). */
const writes = vi.hoisted(() => ({ count: 0 }));
vi.mock('../../../src/core/atomic-write.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/core/atomic-write.js')>();
  return {
    ...original,
    writeFileAtomic: (...args: Parameters<typeof original.writeFileAtomic>) => {
      writes.count += 1;
      return original.writeFileAtomic(...args);
    },
  };
});

const done: StepRecord = { status: 'succeeded', fingerprint: 'sha256:1', finishedAt: 'now', runId: 'r1' };

describe('state writes', () => {
  it('writes the records made while a write is under way together, each settling once it is on disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wire-install-state-'));
    const store = await StateStore.open(dir);
    writes.count = 0;
    const hosts = Array.from({ length: 20 }, (_, i) => `kubenode${i + 1}`);
    // Twenty hosts ending a step at once, and one more record once the first has settled.
    const all = hosts.map((host) => store.record('bootstrap-host.hostname', host, done));
    await all[0];
    const late = store.record('bootstrap-host.packages', 'kubenode1', done);
    await Promise.all([...all, late]);
    expect(writes.count).toBeLessThanOrEqual(3);
    const reopened = await StateStore.open(dir);
    for (const host of hosts)
      expect(reopened.isCurrent('bootstrap-host.hostname', host, 'sha256:1')).toBe(true);
    expect(reopened.isCurrent('bootstrap-host.packages', 'kubenode1', 'sha256:1')).toBe(true);
  });

  it('settles a record only after a write that holds it: one made during a write waits for the next', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wire-install-state-'));
    const store = await StateStore.open(dir);
    const first = store.record('s', 'a', done);
    // The first write has started (its snapshot taken) once a macrotask has passed.
    await new Promise((resolve) => setImmediate(resolve));
    const second = store.record('s', 'b', done);
    await second;
    const reopened = await StateStore.open(dir);
    expect(reopened.isCurrent('s', 'b', 'sha256:1')).toBe(true);
    await first;
  });
});
