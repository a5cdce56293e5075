import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StateFile } from '../../src/state/store.js';
import { startTmux, type Tmux } from '../support/tmux.js';
import { LAB_CLI, labWorkspace, runLabCli, started, startLabCli } from './lab-cli.js';
import { labHosts } from './lab-hosts.js';
import { freshHosts } from './lab-reset.js';

/**
 * Ctrl-C as an operator presses it: in a real terminal (tmux) with the live tree, once (the
 * steps in flight finish and are recorded, exit 130) and twice (out at once, saying what is
 * left; the next run takes the lock over); and without a terminal while connecting to a host
 * that never answers (a listener on the lab bridge that accepts and stays silent: ssh would
 * wait 10 s for its banner), where the run must not wait for the SSH timeout.
 */

const HOSTS = labHosts().slice(0, 5);
/** This machine's address on the lab's bridge (test/lab/lab.sh BRIDGE_ADDR). */
const BRIDGE_ADDRESS = '172.31.0.1';
let terminal: Tmux;

beforeAll(async () => {
  terminal = await startTmux(60_000);
}, 60_000);
beforeEach(() => freshHosts(HOSTS), 60_000);
afterAll(async () => {
  await terminal.close();
  await freshHosts(HOSTS);
}, 60_000);

const stateDir = (dir: string) => join(dir, '.wire-install');
const readState = (dir: string) =>
  JSON.parse(readFileSync(join(stateDir(dir), 'state.json'), 'utf8')) as StateFile;

/** Starts the lab play's apply in a terminal of its own; the shell prints EXIT=<code> when it ends. */
async function applyInTerminal(session: string, workspace: ReturnType<typeof labWorkspace>, args = '') {
  const command = `node '${LAB_CLI}' apply ${args} -i '${workspace.inventory}'; echo EXIT=$?; sleep 600`;
  await terminal.start(session, workspace.dir, command, { HOME: workspace.home });
  // The step before lab.slow recorded on every host: lab.slow is in flight (its work takes seconds).
  const deadline = Date.now() + 60_000;
  for (;;) {
    const state = existsSync(join(stateDir(workspace.dir), 'state.json'))
      ? readState(workspace.dir)
      : undefined;
    if (Object.keys(state?.steps['lab.motd'] ?? {}).length === HOSTS.length) break;
    if (Date.now() > deadline)
      throw new Error(`lab.motd was not recorded within 60 s. Screen:\n${await terminal.screen(session)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
}

describe('Ctrl-C at a terminal, with the live tree', () => {
  it('once: says so at once, finishes and records the steps in flight, releases the lock, exits 130 with how to resume', async () => {
    const workspace = labWorkspace(5);
    workspace.setVars({ slowSeconds: 4 });
    await applyInTerminal('once', workspace, '--concurrency 2');
    await terminal.run('send-keys', '-t', 'once', 'C-c');
    await terminal.waitFor(
      'once',
      /interrupted: finishing the steps in flight \(\d\), Ctrl-C again to stop at once/,
    );
    await terminal.waitFor('once', /EXIT=\d+/);
    const screen = await terminal.screen('once');
    expect(screen).toContain('EXIT=130');
    const inFlight = Number(/steps in flight \((\d)\)/.exec(screen)?.[1]);
    expect(inFlight).toBeGreaterThan(0);
    expect(screen).toContain('Apply interrupted:');
    // The resume line repeats the flags that shape the run (here --concurrency).
    expect(screen).toContain(
      `run \`wire-install apply -i ${workspace.inventory} --concurrency 2\` again to resume`,
    );
    // The steps in flight finished and were recorded; nothing started after Ctrl-C.
    const slow = readState(workspace.dir).steps['lab.slow'] ?? {};
    expect(Object.values(slow).map((record) => record.status)).toEqual(Array(inFlight).fill('succeeded'));
    expect(readState(workspace.dir).steps['lab.motd']?.[HOSTS[4]?.name ?? '']?.status).toBe('succeeded');
    expect(existsSync(join(stateDir(workspace.dir), 'lock'))).toBe(false);
  }, 120_000);

  it('twice: exits at once saying what is left; the steps cut off are recorded as interrupted, and the next run takes the lock over', async () => {
    const workspace = labWorkspace(5);
    const slowSeconds = 10;
    workspace.setVars({ slowSeconds });
    await applyInTerminal('twice', workspace, '--concurrency 2');
    const pressed = Date.now();
    await terminal.run('send-keys', '-t', 'twice', 'C-c');
    await terminal.waitFor('twice', /interrupted: finishing the steps in flight/);
    await terminal.run('send-keys', '-t', 'twice', 'C-c');
    await terminal.waitFor('twice', /EXIT=\d+/);
    // Not after the slow work (this bounds, it does not time, the exit).
    expect(Date.now() - pressed).toBeLessThan(8_000);
    const screen = await terminal.screen('twice');
    expect(screen).toContain('EXIT=130');
    expect(screen).toMatch(
      /stopped at once: 2 steps in flight cut off \(lab\.slow on labhost\d, lab\.slow on labhost\d\), recorded as interrupted in state\.json: the next run does them again/,
    );
    expect(screen).toContain(
      'the lock stays behind: the next run sees this process is gone and takes it over',
    );
    expect(existsSync(join(stateDir(workspace.dir), 'lock'))).toBe(true);
    const slow = readState(workspace.dir).steps['lab.slow'] ?? {};
    expect(Object.values(slow)).toHaveLength(2);
    for (const record of Object.values(slow))
      expect(record).toMatchObject({ status: 'failed', error: expect.stringContaining('interrupted') });

    workspace.setVars({ slowSeconds: 0 });
    const resumed = await runLabCli(workspace, ['apply', '--json']);
    expect(resumed.exitCode, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/took over a stale lock: wire-install apply .*: that process is gone/);
    expect(new Set(started(resumed.events).map((e) => e.step))).toEqual(new Set(['lab.slow']));
    expect(existsSync(join(stateDir(workspace.dir), 'lock'))).toBe(false);
    // The commands cut off go on on their hosts (no terminal there to hang up): let them end
    // before the lab is reset, or they would leave their file behind for the next test.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, pressed + (slowSeconds + 2) * 1000 - Date.now())),
    );
  }, 120_000);
});

describe('SIGINT without a terminal while connecting', () => {
  let silent: Server;
  const sockets: Socket[] = [];
  let port = 0;
  beforeAll(async () => {
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, BRIDGE_ADDRESS, resolve));
    port = (silent.address() as { port: number }).port;
  });
  afterAll(() => {
    for (const socket of sockets) socket.destroy();
    silent.close();
  });

  it('abandons the host that does not answer: exit 130 at once, the acknowledgement, no lock', async () => {
    const workspace = labWorkspace(1, (text) =>
      text.replace(`address: ${HOSTS[0]?.address},`, `address: ${BRIDGE_ADDRESS}, ssh: { port: ${port} },`),
    );
    const run = startLabCli(workspace, ['apply']);
    while (sockets.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    const interrupted = Date.now();
    run.kill('SIGINT');
    const result = await run;
    // ssh would wait 10 s for the banner; the run does not.
    expect(Date.now() - interrupted).toBeLessThan(3_000);
    expect(result.exitCode, String(result.stderr)).toBe(130);
    expect(String(result.stderr)).toContain(
      'interrupted: connecting abandoned, no step has started; Ctrl-C again to stop at once',
    );
    expect(String(result.stdout).trimEnd().split('\n').at(-1)).toBe(
      `run \`wire-install apply -i ${workspace.inventory}\` again to resume`,
    );
    expect(existsSync(join(stateDir(workspace.dir), 'lock'))).toBe(false);
  }, 60_000);
});
