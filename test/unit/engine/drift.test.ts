import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src/engine/events.js';
import { recordHostIdentities, replacedHosts } from '../../../src/engine/host-identity.js';
import { type RunStepsOptions, runSteps } from '../../../src/engine/run-steps.js';
import type { EngineStage } from '../../../src/engine/types.js';
import type { HostFacts } from '../../../src/hosts/facts.js';
import type { RemoteHost } from '../../../src/hosts/types.js';
import type { Operation } from '../../../src/operations/types.js';
import { type StateFile, StateStore } from '../../../src/state/store.js';

/**
 * Drift and rebuilt hosts, with the real loop and state store and hosts that are plain objects
 * (no SSH): each host's "file" is a value in a map the test edits behind the engine's back, and
 * the operation checks and sets it as a file operation would.
 */

const HOSTS = ['h1', 'h2', 'h3'];

function fakeHost(name: string, hostKey = `ssh-ed25519 SHA256:${name}-key`): RemoteHost {
  return {
    name,
    hostKey,
    exec: async () => ({ stdout: '', stderr: '', exitCode: 0 }),
    close: () => undefined,
  };
}

/** The content of one managed file per host, which the test changes by hand. */
type Disk = Map<string, string>;

function fileOperation(host: string, disk: Disk, wanted: string): Operation {
  const change = () => (disk.get(host) === wanted ? [] : [`write /etc/wil.conf (${wanted})`]);
  return {
    kind: 'file',
    target: '/etc/wil.conf',
    inputs: { wanted },
    check: async () => ({ changes: change(), notes: [] }),
    apply: async () => {
      const changes = change();
      disk.set(host, wanted);
      return { changes, notes: [] };
    },
  };
}

const stages = (disk: Disk, wanted = 'v1'): EngineStage[] => [
  {
    id: 's',
    title: 'test',
    steps: [
      {
        id: 's.conf',
        title: 'conf',
        hosts: HOSTS,
        operations: (host) => [fileOperation(host.name, disk, wanted)],
      },
    ],
  },
];

async function run(
  dir: string,
  disk: Disk,
  options: Partial<Pick<RunStepsOptions, 'mode' | 'recheck' | 'replacedHosts'>> = {},
) {
  const events: EngineEvent[] = [];
  const hosts = new Map(HOSTS.map((name) => [name, fakeHost(name)]));
  const result = await runSteps({
    mode: options.mode ?? 'apply',
    stages: stages(disk),
    hosts,
    facts: new Map(HOSTS.map((name) => [name, { machineId: `${name}-id` } as HostFacts])),
    state: await StateStore.open(dir),
    runId: 'test',
    concurrency: 20,
    uploadConcurrency: 4,
    selection: {},
    signal: new AbortController().signal,
    emit: (event) => events.push(event),
    ...(options.recheck ? { recheck: true } : {}),
    ...(options.replacedHosts ? { replacedHosts: options.replacedHosts } : {}),
  });
  const finished = events.filter(
    (event): event is Extract<EngineEvent, { type: 'step-finished' }> => event.type === 'step-finished',
  );
  return { result, byHost: new Map(finished.map((event) => [event.host, event])) };
}

const newDir = () => mkdtempSync(join(tmpdir(), 'wil-drift-'));

describe('--check-drift', () => {
  it('a current checkpoint hides a file edited by hand; --check-drift shows it on that host only, as drift', async () => {
    const dir = newDir();
    const disk: Disk = new Map();
    await run(dir, disk);
    disk.set('h2', 'edited by hand');

    const trusting = await run(dir, disk, { mode: 'plan' });
    expect([...trusting.byHost.values()].map((event) => event.status)).toEqual([
      'current',
      'current',
      'current',
    ]);

    const drift = await run(dir, disk, { mode: 'plan', recheck: true });
    expect(drift.byHost.get('h2')).toMatchObject({ status: 'would-change', drift: true });
    expect(drift.byHost.get('h2')?.changes).toEqual(['write /etc/wil.conf (v1)']);
    for (const host of ['h1', 'h3']) {
      expect(drift.byHost.get(host)?.status).toBe('unchanged');
      expect(drift.byHost.get(host)).not.toHaveProperty('drift');
    }
    // The plan changed nothing.
    expect(disk.get('h2')).toBe('edited by hand');
  });

  it('apply --check-drift repairs the drift, says so, and the next drift check finds none', async () => {
    const dir = newDir();
    const disk: Disk = new Map();
    await run(dir, disk);
    disk.set('h3', 'edited by hand');
    const repair = await run(dir, disk, { recheck: true });
    expect(repair.byHost.get('h3')).toMatchObject({ status: 'changed', drift: true });
    expect(disk.get('h3')).toBe('v1');
    const after = await run(dir, disk, { mode: 'plan', recheck: true });
    expect([...after.byHost.values()].map((event) => event.status)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
  });

  it('apply --check-drift applies only where the check finds drift: an apply that always acts is not re-run', async () => {
    const dir = newDir();
    let applies = 0;
    const always: EngineStage[] = [
      {
        id: 's',
        title: 'test',
        steps: [
          {
            id: 's.release',
            title: 'a release',
            hosts: HOSTS,
            operations: () => [
              {
                kind: 'release',
                target: 'r',
                inputs: {},
                check: async () => ({ changes: [], notes: [] }),
                apply: async () => {
                  applies += 1;
                  return { changes: ['upgrade the release'], notes: [] };
                },
              },
            ],
          },
        ],
      },
    ];
    const go = async (recheck: boolean) => {
      const events: EngineEvent[] = [];
      const hosts = new Map(HOSTS.map((name) => [name, fakeHost(name)]));
      await runSteps({
        mode: 'apply',
        stages: always,
        hosts,
        facts: new Map(HOSTS.map((name) => [name, { machineId: name } as HostFacts])),
        state: await StateStore.open(dir),
        runId: 'test',
        concurrency: 20,
        uploadConcurrency: 4,
        selection: {},
        signal: new AbortController().signal,
        emit: (event) => events.push(event),
        ...(recheck ? { recheck: true } : {}),
      });
      return events.filter((e) => e.type === 'step-finished');
    };
    await go(false);
    expect(applies).toBe(3);
    const again = await go(true);
    expect(applies).toBe(3);
    expect(again.map((e) => (e.type === 'step-finished' ? [e.status, 'drift' in e] : []))).toEqual([
      ['unchanged', false],
      ['unchanged', false],
      ['unchanged', false],
    ]);
  });

  it('a step never run is not drift: without a checkpoint it would change anyway', async () => {
    const dir = newDir();
    const drift = await run(dir, new Map(), { mode: 'plan', recheck: true });
    expect(drift.byHost.get('h1')?.status).toBe('would-change');
    expect(drift.byHost.get('h1')).not.toHaveProperty('drift');
  });
});

describe('a host rebuilt under the same name', () => {
  const facts = (ids: Record<string, string>) =>
    new Map(Object.entries(ids).map(([name, machineId]) => [name, { machineId } as HostFacts]));
  const hosts = (keys: Record<string, string>) =>
    new Map(Object.entries(keys).map(([name, key]) => [name, fakeHost(name, key)]));

  it('is named by a changed machine-id (with the host key as evidence); a rotated key alone, or a host seen the first time, is not', async () => {
    const dir = newDir();
    const state = await StateStore.open(dir);
    await recordHostIdentities(state, hosts({ h1: 'k1', h2: 'k2' }), facts({ h1: 'id1', h2: 'id2' }), []);
    const replaced = replacedHosts(
      state,
      hosts({ h1: 'k1-new', h2: 'k2-new', h3: 'k3' }),
      facts({ h1: 'id1-new', h2: 'id2', h3: 'id3' }),
    );
    expect(replaced.map(({ host }) => host)).toEqual(['h1']);
    expect(replaced[0]?.evidence[0]).toMatch(/^machine-id was id1 at .*, is id1-new now$/);
    expect(replaced[0]?.evidence[1]).toBe('SSH host key was k1, is k1-new now');
  });

  it('a machine-id that cannot be read now keeps the recorded one, and names nobody', async () => {
    const dir = newDir();
    const state = await StateStore.open(dir);
    await recordHostIdentities(state, hosts({ h1: 'k1' }), facts({ h1: 'id1' }), []);
    const unreadable = { hosts: hosts({ h1: 'k1' }), facts: facts({ h1: '' }) };
    expect(replacedHosts(state, unreadable.hosts, unreadable.facts)).toEqual([]);
    await recordHostIdentities(state, unreadable.hosts, unreadable.facts, []);
    expect(state.identity('h1')?.machineId).toBe('id1');
  });

  it("apply forgets the replaced host's checkpoints and records who it is now; the others keep theirs", async () => {
    const dir = newDir();
    const disk: Disk = new Map();
    const state = await StateStore.open(dir);
    await recordHostIdentities(
      state,
      hosts({ h1: 'k1', h2: 'k2', h3: 'k3' }),
      facts({ h1: 'a', h2: 'b', h3: 'c' }),
      [],
    );
    await run(dir, disk);
    // h2 reinstalled: its disk is empty, its checkpoint still says done.
    disk.delete('h2');
    const reopened = await StateStore.open(dir);
    const now = {
      hosts: hosts({ h1: 'k1', h2: 'k2-new', h3: 'k3' }),
      facts: facts({ h1: 'a', h2: 'b-new', h3: 'c' }),
    };
    const replaced = replacedHosts(reopened, now.hosts, now.facts);
    await recordHostIdentities(reopened, now.hosts, now.facts, replaced);
    const file = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as StateFile;
    expect(Object.keys(file.steps['s.conf'] ?? {})).toEqual(['h1', 'h3']);
    expect(file.hosts?.h2).toMatchObject({ machineId: 'b-new', hostKey: 'k2-new' });
    expect(replacedHosts(await StateStore.open(dir), now.hosts, now.facts)).toEqual([]);

    const again = await run(dir, disk);
    expect(again.byHost.get('h2')?.status).toBe('changed');
    expect(again.byHost.get('h1')?.status).toBe('current');
    expect(disk.get('h2')).toBe('v1');
  });

  it("a plan ignores the replaced host's checkpoints without forgetting them", async () => {
    const dir = newDir();
    const disk: Disk = new Map();
    await run(dir, disk);
    disk.delete('h1');
    const plan = await run(dir, disk, { mode: 'plan', replacedHosts: new Set(['h1']) });
    expect(plan.byHost.get('h1')?.status).toBe('would-change');
    expect(plan.byHost.get('h2')?.status).toBe('current');
    const file = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as StateFile;
    expect(file.steps['s.conf']?.h1?.status).toBe('succeeded');
  });
});
