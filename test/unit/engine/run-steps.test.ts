import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../src/engine/events.js';
import { type RunStepsOptions, runSteps } from '../../../src/engine/run-steps.js';
import type { EngineStage, EngineStep } from '../../../src/engine/types.js';
import type { HostFacts } from '../../../src/hosts/facts.js';
import type { RemoteHost } from '../../../src/hosts/types.js';
import type { Operation } from '../../../src/operations/types.js';
import { type StateFile, StateStore } from '../../../src/state/store.js';

/**
 * The engine's rules, fast and without root: the real loop and the real state store, with
 * hosts that are plain objects (no SSH) and operations the test writes. Order and overlap are
 * decided by promises the test releases, never by timing. The lab tests (engine-apply,
 * engine-resume, engine-faults) show the same rules against real hosts.
 */

const HOSTS = ['h1', 'h2', 'h3', 'h4', 'h5'];

function fakeHosts(names: readonly string[] = HOSTS): Map<string, RemoteHost> {
  return new Map(
    names.map((name) => [
      name,
      { name, exec: async () => ({ stdout: '', stderr: '', exitCode: 0 }), close: () => undefined },
    ]),
  );
}

/** A promise the test resolves when it chooses. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { open, opened };
}

/** Watches how many operations run at once, and in which order they start. */
function overlap() {
  let active = 0;
  return {
    max: 0,
    started: [] as string[],
    async during(host: string, work: () => Promise<void>) {
      this.started.push(host);
      active += 1;
      this.max = Math.max(this.max, active);
      try {
        await work();
      } finally {
        active -= 1;
      }
    },
  };
}

interface OperationSpec {
  input?: string;
  work?: (host: string) => Promise<void>;
  fails?: (host: string) => boolean;
}

function operation(host: string, spec: OperationSpec, applied: string[], step: string): Operation {
  return {
    kind: 'test',
    target: host,
    inputs: { input: spec.input ?? 'v1' },
    check: async () => ({ changes: ['would change'], notes: [] }),
    apply: async () => {
      await spec.work?.(host);
      if (spec.fails?.(host)) throw new Error(`${host}: ${step} failed`);
      applied.push(`${step} ${host}`);
      return { changes: ['changed'], notes: [] };
    },
  };
}

function step(id: string, spec: OperationSpec & Partial<EngineStep>, applied: string[]): EngineStep {
  return {
    id,
    title: id,
    hosts: spec.hosts ?? HOSTS,
    ...(spec.order ? { order: spec.order } : {}),
    ...(spec.upload ? { upload: spec.upload } : {}),
    operations: (host) => [operation(host.name, spec, applied, id)],
  };
}

async function run(
  dir: string,
  stages: EngineStage[],
  options: Partial<Pick<RunStepsOptions, 'concurrency' | 'uploadConcurrency' | 'signal' | 'selection'>> = {},
) {
  const events: EngineEvent[] = [];
  const hosts = fakeHosts();
  const result = await runSteps({
    mode: 'apply',
    stages,
    hosts,
    facts: new Map([...hosts.keys()].map((name) => [name, {} as HostFacts])),
    state: await StateStore.open(dir),
    runId: 'test',
    concurrency: options.concurrency ?? 20,
    uploadConcurrency: options.uploadConcurrency ?? 4,
    selection: options.selection ?? {},
    signal: options.signal ?? new AbortController().signal,
    emit: (event) => events.push(event),
  });
  return { result, events };
}

const readState = (dir: string) => JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as StateFile;
const newDir = () => mkdtempSync(join(tmpdir(), 'wil-run-steps-'));
const stage = (steps: EngineStep[]): EngineStage[] => [{ id: 's', title: 'test', steps }];

describe('checkpoints', () => {
  it('a step that succeeded with the same inputs is current on the next run and not applied; changed inputs run again', async () => {
    const dir = newDir();
    const applied: string[] = [];
    const stages = (input: string) =>
      stage([step('s.one', {}, applied), step('s.two', { input, hosts: ['h1', 'h2'] }, applied)]);
    const first = await run(dir, stages('v1'));
    expect(first.result.status).toBe('succeeded');
    expect(first.result.counts.changed).toBe(7);
    applied.length = 0;

    const again = await run(dir, stages('v1'));
    expect(again.result.counts).toMatchObject({ current: 7, changed: 0 });
    expect(applied).toEqual([]);
    expect(again.events.some((e) => e.type === 'step-started')).toBe(false);

    const changed = await run(dir, stages('v2'));
    expect(changed.result.counts).toMatchObject({ current: 5, changed: 2 });
    expect(applied.sort()).toEqual(['s.two h1', 's.two h2']);
  });

  it('--force runs a current step again, and only that one', async () => {
    const dir = newDir();
    const applied: string[] = [];
    const stages = stage([step('s.one', {}, applied), step('s.two', {}, applied)]);
    await run(dir, stages);
    applied.length = 0;
    const forced = await run(dir, stages, { selection: { force: 's.two' } });
    expect(forced.result.counts).toMatchObject({ current: 5, changed: 5 });
    expect(new Set(applied.map((entry) => entry.split(' ')[0]))).toEqual(new Set(['s.two']));
  });
});

describe('a failure', () => {
  it('stops that host; the others finish the step, recorded; the next step starts nowhere', async () => {
    const dir = newDir();
    const applied: string[] = [];
    const { result, events } = await run(
      dir,
      stage([step('s.one', { fails: (host) => host === 'h2' }, applied), step('s.two', {}, applied)]),
    );
    expect(result.status).toBe('failed');
    expect(result.failures.map((f) => `${f.host} ${f.step}`)).toEqual(['h2 s.one']);
    const state = readState(dir);
    expect(state.steps['s.one']?.h2).toMatchObject({ status: 'failed', error: 'h2: s.one failed' });
    for (const host of ['h1', 'h3', 'h4', 'h5'])
      expect(state.steps['s.one']?.[host]?.status).toBe('succeeded');
    expect(state.steps['s.two']).toBeUndefined();
    expect(events.some((e) => e.type === 'step-started' && e.step === 's.two')).toBe(false);
  });

  it('in a serial step, stops the hosts after it (a rolling change stops at the first broken host)', async () => {
    const dir = newDir();
    const applied: string[] = [];
    const { result } = await run(
      dir,
      stage([step('s.roll', { order: 'serial', fails: (host) => host === 'h3' }, applied)]),
    );
    expect(result.status).toBe('failed');
    expect(applied).toEqual(['s.roll h1', 's.roll h2']);
    expect(readState(dir).steps['s.roll']?.h4).toBeUndefined();
  });
});

describe('Ctrl-C (an aborted signal)', () => {
  it('starts nothing new, lets the running steps finish and records them; the run ends interrupted', async () => {
    const dir = newDir();
    const applied: string[] = [];
    const controller = new AbortController();
    const release = gate();
    const allStarted = gate();
    let started = 0;
    const slow = async () => {
      started += 1;
      if (started === 3) allStarted.open();
      await release.opened;
    };
    const running = run(
      dir,
      stage([
        step('s.one', { work: slow, hosts: ['h1', 'h2', 'h3', 'h4', 'h5'] }, applied),
        step('s.two', {}, applied),
      ]),
      { concurrency: 3, signal: controller.signal },
    );
    await allStarted.opened;
    controller.abort();
    release.open();
    const { result, events } = await running;
    expect(result.status).toBe('interrupted');
    // The three in flight finished and were recorded; h4 and h5 never started, nor did s.two.
    expect(applied.sort()).toEqual(['s.one h1', 's.one h2', 's.one h3']);
    const state = readState(dir);
    expect(Object.keys(state.steps['s.one'] ?? {}).sort()).toEqual(['h1', 'h2', 'h3']);
    expect(events.filter((e) => e.type === 'step-started').map((e) => (e as { host: string }).host)).toEqual([
      'h1',
      'h2',
      'h3',
    ]);
  });
});

describe('order and limits', () => {
  it('a serial step runs one host at a time, in inventory order', async () => {
    const watch = overlap();
    const applied: string[] = [];
    const { result } = await run(
      newDir(),
      stage([
        step(
          's.roll',
          { order: 'serial', work: (host) => watch.during(host, () => new Promise((r) => setImmediate(r))) },
          applied,
        ),
      ]),
    );
    expect(result.status).toBe('succeeded');
    expect(watch.max).toBe(1);
    expect(watch.started).toEqual(HOSTS);
  });

  it('a parallel step runs up to --concurrency hosts at once; an upload step up to --upload-concurrency', async () => {
    const parallel = overlap();
    const upload = overlap();
    const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 5));
    const applied: string[] = [];
    const { result } = await run(
      newDir(),
      stage([
        step('s.spread', { work: (host) => parallel.during(host, tick) }, applied),
        step('s.upload', { upload: true, work: (host) => upload.during(host, tick) }, applied),
      ]),
      { concurrency: 3, uploadConcurrency: 2 },
    );
    expect(result.status).toBe('succeeded');
    expect(parallel.max).toBe(3);
    expect(upload.max).toBe(2);
    expect(applied).toHaveLength(10);
  });
});
