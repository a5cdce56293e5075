import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInterrupt } from '../../../src/core/interrupt.js';
import { createMemoryOutput } from '../../../src/core/output.js';
import { type ApplyRunOptions, applyRun } from '../../../src/engine/apply-run.js';
import type { EngineEvent } from '../../../src/engine/events.js';
import { createReporter } from '../../../src/engine/report.js';
import type { EngineStage } from '../../../src/engine/types.js';
import { ADMIN_HOST } from '../../../src/hosts/local-host.js';
import { applyDefaults } from '../../../src/inventory/defaults.js';
import type { InventoryInput } from '../../../src/inventory/schema.js';
import { acquireLock } from '../../../src/state/lock.js';
import type { StateFile } from '../../../src/state/store.js';
import { demoInput } from '../../support/inventories.js';

/**
 * apply's engine (applyRun) under interrupts and the lock, in-process: the host is a REAL
 * loopback listener that accepts and never answers (an SSH server that hangs), the admin step
 * a real wait on this machine. What the CLI adds (the signals themselves, the terminal) is
 * tested on the lab (test/lab/engine-interrupt.test.ts).
 */

let silent: Server;
const sockets: Socket[] = [];
let port = 0;
beforeAll(async () => {
  silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  port = (silent.address() as { port: number }).port;
});
afterAll(() => {
  for (const socket of sockets) socket.destroy();
  silent.close();
});

function workspace(): { dir: string; inventoryPath: string; input: InventoryInput } {
  const dir = mkdtempSync(join(tmpdir(), 'wil-apply-run-'));
  const input = demoInput();
  input.hosts = input.hosts.map((host) => ({ ...host, address: '127.0.0.1', ssh: { port } }));
  const inventoryPath = join(dir, 'inventory.yaml');
  writeFileSync(inventoryPath, '# the inventory is passed in memory\n');
  return { dir, inventoryPath, input };
}

/** A step on the demo host (needs a connection) or on the admin host (waits until `release`). */
function stages(kind: 'remote' | 'admin', release?: Promise<void>): EngineStage[] {
  const wait = async () => {
    await release;
    return { changes: ['waited'], notes: [] };
  };
  return [
    {
      id: 'test',
      title: 'Test',
      steps: [
        {
          id: 'test.wait',
          title: 'A step that waits',
          hosts: kind === 'admin' ? [ADMIN_HOST] : ['wire-demo'],
          ...(kind === 'admin' ? { admin: true } : {}),
          operations: () => [{ kind: 'wait', target: 'x', inputs: {}, check: wait, apply: wait }],
        },
      ],
    },
  ];
}

function options(
  space: ReturnType<typeof workspace>,
  overrides: Partial<ApplyRunOptions>,
): ApplyRunOptions & { events: EngineEvent[] } {
  const events: EngineEvent[] = [];
  const output = createMemoryOutput({});
  const plain = createReporter(output);
  return {
    mode: 'apply',
    inventoryPath: space.inventoryPath,
    inventory: applyDefaults(space.input),
    inventoryInput: space.input,
    secrets: undefined,
    stages: stages('remote'),
    selection: {},
    concurrency: 4,
    uploadConcurrency: 2,
    env: { HOME: space.dir },
    trustOnFirstUse: true,
    signal: new AbortController().signal,
    output,
    reporter: {
      emit: (event) => {
        events.push(event);
        plain.emit(event);
      },
      close: () => plain.close(),
    },
    commandLine: 'wire-install apply (test)',
    resumeCommand: 'wire-install apply -i x.yaml',
    events,
    ...overrides,
  };
}

describe('an apply refused by the lock', () => {
  it('leaves no debug log behind (nor anything else in the state folder)', async () => {
    const space = workspace();
    const stateDir = join(space.dir, '.wire-install');
    mkdirSync(stateDir);
    const held = await acquireLock(stateDir, {
      command: 'wire-install apply (the other run)',
      runId: 'other',
    });
    await expect(applyRun(options(space, {}))).rejects.toMatchObject({
      what: expect.stringContaining('another wire-install run holds the lock'),
    });
    expect(readdirSync(stateDir)).toEqual(['lock']);
    await held.release();
  });
});

describe('Ctrl-C while connecting', () => {
  it('abandons the connection that hangs at once: exit 130, the acknowledgement, no lock, the resume line', async () => {
    const space = workspace();
    const interrupt = createInterrupt();
    const run = options(space, { signal: interrupt.signal });
    const started = Date.now();
    const running = applyRun(run);
    // The listener has the connection: ssh is waiting for a banner that never comes.
    while (sockets.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    interrupt.receive('SIGINT');
    expect(await running).toBe(130);
    // The SSH timeout is 10 s; abandoning does not wait for it.
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(run.events.map((e) => e.type)).toEqual(['run-started', 'interrupted', 'run-finished']);
    expect(run.events[1]).toMatchObject({ type: 'interrupted', phase: 'connecting', inFlight: [] });
    expect(run.events[2]).toMatchObject({ status: 'interrupted' });
    const output = run.output as ReturnType<typeof createMemoryOutput>;
    expect(output.stderrText()).toContain(
      'interrupted: connecting abandoned, no step has started; Ctrl-C again to stop at once',
    );
    expect(output.stdoutText().trimEnd().split('\n').at(-1)).toBe(
      'run `wire-install apply -i x.yaml` again to resume',
    );
    expect(existsSync(join(space.dir, '.wire-install', 'lock'))).toBe(false);
  });
});

describe('Ctrl-C while a step runs', () => {
  it('first: finishes and records it; second: records what is in flight as interrupted and says what is left', async () => {
    const space = workspace();
    let release!: () => void;
    const interrupt = createInterrupt();
    const run = options(space, {
      stages: stages('admin', new Promise<void>((resolve) => (release = resolve))),
      signal: interrupt.signal,
      onStopAtOnce: interrupt.onStopAtOnce,
    });
    const running = applyRun(run);
    while (!run.events.some((e) => e.type === 'step-started'))
      await new Promise((resolve) => setTimeout(resolve, 20));
    interrupt.receive('SIGINT');
    expect(run.events.at(-1)).toMatchObject({
      type: 'interrupted',
      phase: 'steps',
      inFlight: [{ step: 'test.wait', host: ADMIN_HOST }],
    });
    const output = run.output as ReturnType<typeof createMemoryOutput>;
    expect(output.stderrText()).toContain(
      'interrupted: finishing the steps in flight (1), Ctrl-C again to stop at once',
    );

    // The second, as the process gets it: what is in flight is recorded before it exits.
    expect(interrupt.receive('SIGINT')).toBe('stop');
    await interrupt.stopAtOnce();
    const state = JSON.parse(
      readFileSync(join(space.dir, '.wire-install', 'state.json'), 'utf8'),
    ) as StateFile;
    expect(state.steps['test.wait']?.[ADMIN_HOST]).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('interrupted'),
    });
    expect(output.stderrText()).toContain(
      `stopped at once: 1 step in flight cut off (test.wait on ${ADMIN_HOST}), recorded as interrupted in state.json: the next run does it again`,
    );
    expect(output.stderrText()).toContain('the lock stays behind: the next run sees this process is gone');

    // (In the process it would have exited; here the step ends and the first Ctrl-C's path completes.)
    release();
    expect(await running).toBe(130);
    expect(existsSync(join(space.dir, '.wire-install', 'lock'))).toBe(false);
  });
});
