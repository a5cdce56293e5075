import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WireInstallError } from '../../../src/core/errors.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import { runSteps } from '../../../src/engine/run-steps.js';
import { StateSpace } from '../../../src/engine/state-space.js';
import type { EngineStage } from '../../../src/engine/types.js';
import type { HostFacts } from '../../../src/hosts/facts.js';
import type { RemoteHost } from '../../../src/hosts/types.js';
import type { Operation } from '../../../src/operations/types.js';
import { type StateFile, StateStore } from '../../../src/state/store.js';

/**
 * The engine's loop under faults it cannot prevent: a host lost while none of its steps runs,
 * and a state file that cannot be written. The real loop and state store, hosts that only
 * answer what the test says (the lab tests do the same against real hosts: engine-faults).
 */

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function fakeHost(name: string, lost?: Promise<WireInstallError>): RemoteHost {
  return {
    name,
    exec: async () => ({ stdout: '', stderr: '', exitCode: 0 }),
    ...(lost ? { lost } : {}),
    close: () => undefined,
  };
}

/** An operation that takes `ms` on `host` and changes something. */
const work = (ms: (host: string) => number, host: string): Operation => ({
  kind: 'test',
  target: host,
  inputs: {},
  check: async () => ({ changes: ['would work'], notes: [] }),
  apply: async () => {
    await wait(ms(host));
    return { changes: ['worked'], notes: [] };
  },
});

const stages = (ms: (host: string) => number): EngineStage[] => [
  {
    id: 's',
    title: 'test',
    steps: ['s.one', 's.two'].map((id) => ({
      id,
      title: id,
      hosts: ['a', 'b'],
      operations: (host) => [work(ms, host.name)],
    })),
  },
];

function run(
  options: { hosts: Map<string, RemoteHost>; state: StateStore; stateSpace?: StateSpace },
  ms: (host: string) => number,
) {
  const events: EngineEvent[] = [];
  const result = runSteps({
    mode: 'apply',
    stages: stages(ms),
    hosts: options.hosts,
    facts: new Map([...options.hosts.keys()].map((name) => [name, {} as HostFacts])),
    state: options.state,
    runId: 'test',
    concurrency: 4,
    uploadConcurrency: 2,
    selection: {},
    signal: new AbortController().signal,
    emit: (event) => events.push(event),
    ...(options.stateSpace ? { stateSpace: options.stateSpace } : {}),
  });
  return { result, events };
}

describe('a host lost while none of its steps runs', () => {
  it('is named at once and fails the step the run is at; the other host finishes it, recorded; nothing after it starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wil-run-steps-'));
    let lose!: (error: WireInstallError) => void;
    const lost = new Promise<WireInstallError>((resolve) => {
      lose = resolve;
    });
    const hosts = new Map([
      ['a', fakeHost('a')],
      ['b', fakeHost('b', lost)],
    ]);
    const { result, events } = run({ hosts, state: await StateStore.open(dir) }, (host) =>
      host === 'a' ? 300 : 0,
    );
    // b has finished s.one; a is still at it.
    await wait(100);
    lose(new WireInstallError({ what: 'b: 10.0.0.2 stopped answering', host: 'b' }));
    const outcome = await result;
    expect(outcome.status).toBe('failed');
    expect(events).toContainEqual({
      type: 'host-unreachable',
      host: 'b',
      error: 'b: 10.0.0.2 stopped answering',
    });
    expect(outcome.failures).toHaveLength(1);
    const [failure] = outcome.failures;
    expect(failure?.host).toBe('b');
    expect(failure?.step).toBe('s.one');
    expect((failure?.error as WireInstallError | undefined)?.what).toBe(
      'b: 10.0.0.2 stopped answering; none of its steps was running: the run was at step s.one, and stops when the other hosts have finished it',
    );
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as StateFile;
    expect(state.steps['s.one']?.a?.status).toBe('succeeded');
    expect(state.steps['s.one']?.b?.status).toBe('succeeded');
    expect(events.some((e) => e.type === 'step-started' && e.step === 's.two')).toBe(false);
  });
});

describe('a host lost while its step runs, the step still succeeding', () => {
  it('fails the run at that step (never a success with a host gone); what the step recorded stands; nothing after it starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wil-run-steps-'));
    let lose!: (error: WireInstallError) => void;
    const lost = new Promise<WireInstallError>((resolve) => {
      lose = resolve;
    });
    const hosts = new Map([
      ['a', fakeHost('a')],
      ['b', fakeHost('b', lost)],
    ]);
    // b's operation takes 300 ms and succeeds (its last command already answered); b goes at 100 ms.
    const { result, events } = run({ hosts, state: await StateStore.open(dir) }, () => 300);
    await wait(100);
    lose(new WireInstallError({ what: 'b: 10.0.0.2 stopped answering', host: 'b' }));
    const outcome = await result;
    expect(outcome.status).toBe('failed');
    expect(outcome.failures.map((f) => `${f.host} ${f.step}`)).toEqual(['b s.one']);
    expect((outcome.failures[0]?.error as WireInstallError | undefined)?.what).toBe(
      'b: 10.0.0.2 stopped answering; it went as step s.one ended on it (what that step recorded stands), and the run stops when the other hosts have finished that step',
    );
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as StateFile;
    expect(state.steps['s.one']?.b?.status).toBe('succeeded');
    expect(events.some((e) => e.type === 'step-started' && e.step === 's.two')).toBe(false);
  });
});

describe('a state file that cannot be written', () => {
  it('gives back the kept space, records the steps in flight, and stops the run with the path and ENOSPC', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wil-run-steps-'));
    const state = await StateStore.open(dir);
    const space = await StateSpace.keep(dir);
    // The first write of each host meets a full disk; after the space is given back they pass.
    let full = true;
    const record = state.record.bind(state);
    state.record = (step, host, entry) => {
      if (!full) return record(step, host, entry);
      return Promise.reject(
        Object.assign(new Error('ENOSPC: no space left on device, write'), {
          code: 'ENOSPC',
          syscall: 'write',
        }),
      );
    };
    const release = space.release.bind(space);
    space.release = () => {
      full = false;
      return release();
    };
    const hosts = new Map([
      ['a', fakeHost('a')],
      ['b', fakeHost('b')],
    ]);
    const { result, events } = run({ hosts, state, stateSpace: space }, () => 10);
    const outcome = await result;
    expect(outcome.status).toBe('failed');
    expect(outcome.failures).toHaveLength(1);
    const error = outcome.failures[0]?.error as WireInstallError;
    expect(outcome.failures[0]).toMatchObject({ host: 'admin host', step: 's.one' });
    expect(error.what).toBe(
      `${join(dir, 'state.json')}: writing the run state failed: no space left on the device (ENOSPC); the run stopped after the steps that were running had ended`,
    );
    expect(error.evidence.at(-1)).toContain('every step that ended is recorded');
    expect(error.next).toContain(`df -h ${join(dir, 'state.json')}`);
    const written = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as StateFile;
    expect(written.steps['s.one']?.a?.status).toBe('succeeded');
    expect(written.steps['s.one']?.b?.status).toBe('succeeded');
    expect(events.some((e) => e.type === 'step-started' && e.step === 's.two')).toBe(false);
  });
});
