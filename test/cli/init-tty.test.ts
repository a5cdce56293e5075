import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInventoryText } from '../../src/inventory/load.js';
import { startTmux, type Tmux } from '../support/tmux.js';
import { CLI } from './run-cli.js';

/**
 * The wizard once for real, in a terminal: tmux runs the built CLI, the test types the answers
 * of a demo setup (waiting for each prompt on the screen, with a bounded wait) and checks the
 * files and the exit code. tmux is required: CI installs it, and without it this test fails.
 */

let terminal: Tmux;
const WAIT_MS = 15_000;

const tmux = (...args: string[]) => terminal.run(...args);
const screen = (session: string) => terminal.screen(session);
const waitFor = (session: string, text: string | RegExp) => terminal.waitFor(session, text);

async function exitCodeOf(session: string, file: string): Promise<number> {
  const deadline = Date.now() + WAIT_MS;
  while (!existsSync(file)) {
    if (Date.now() > deadline)
      throw new Error(`init did not exit within ${WAIT_MS} ms. Screen:\n${await screen(session)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const match = /EXIT=(\d+)/.exec(await readFile(file, 'utf8'));
  return Number(match?.[1] ?? -1);
}

/** Answers one prompt: waits for it, types the text (if any) and presses Enter. */
async function answer(session: string, prompt: string, text = ''): Promise<void> {
  await waitFor(session, prompt);
  if (text !== '') await tmux('send-keys', '-t', session, '-l', text);
  await tmux('send-keys', '-t', session, 'Enter');
}

const made: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wire-install-tty-'));
  made.push(dir);
  return dir;
}

/** Starts `wire-install init` in a new tmux session in `dir`; its exit code goes to exit.txt. */
async function startInit(session: string, dir: string): Promise<string> {
  const exitFile = join(dir, 'exit.txt');
  await terminal.start(session, dir, `node '${CLI}' init; echo EXIT=$? > '${exitFile}'; sleep 600`);
  return exitFile;
}

beforeAll(async () => {
  terminal = await startTmux(WAIT_MS);
});

afterAll(async () => {
  await terminal.close();
  for (const dir of made) await rm(dir, { recursive: true, force: true });
});

describe('wire-install init in a terminal (tmux)', () => {
  it('answers a demo setup at the prompts and writes both files', async () => {
    const dir = await tempDir();
    const exitFile = await startInit('demo', dir);
    await answer('demo', 'What are you installing?');
    await answer('demo', 'Domain Wire is served under', 'Wire.Example.com');
    await waitFor('demo', 'must be lower case');
    await tmux('send-keys', '-t', 'demo', 'C-u');
    await tmux('send-keys', '-t', 'demo', '-l', 'wire.example.com');
    await tmux('send-keys', '-t', 'demo', 'Enter');
    await answer('demo', 'TLS certificates:');
    await answer('demo', 'Run a TURN server');
    await answer('demo', 'Enable conference calling');
    await answer('demo', 'Host name');
    await answer('demo', 'Address of wire for SSH', '192.168.122.10');
    await answer('demo', 'Public IP clients reach wire');
    await answer('demo', 'CPU cores of wire');
    await answer('demo', 'Memory of wire');
    await answer('demo', 'Disk of wire');
    await answer('demo', 'SSH login user');
    await answer('demo', 'SSH port');
    await answer('demo', 'SSH private key file');
    await answer('demo', 'bastion');
    await answer('demo', 'offline bundle');
    await waitFor('demo', 'Summary:');
    await answer('demo', 'Write the files?');
    expect(await exitCodeOf('demo', exitFile)).toBe(0);
    expect(await screen('demo')).toContain('Wrote inventory.yaml (demo, wire.example.com, 1 host)');

    const file = join(dir, 'inventory.yaml');
    const loaded = parseInventoryText(await readFile(file, 'utf8'), file);
    expect(loaded.inventory.domain).toBe('wire.example.com');
    expect(loaded.inventory.hosts[0]).toMatchObject({ name: 'wire', address: '192.168.122.10' });
    expect(loaded.inventory.hosts[0]?.roles).toEqual(['kube-control-plane', 'kube-worker', 'coturn']);
    expect((await stat(join(dir, 'secrets.yaml'))).mode & 0o777).toBe(0o600);
  });

  it('Ctrl-C at a prompt exits 130 and writes nothing', async () => {
    const dir = await tempDir();
    const exitFile = await startInit('interrupt', dir);
    await answer('interrupt', 'What are you installing?');
    await waitFor('interrupt', 'Domain Wire is served under');
    await tmux('send-keys', '-t', 'interrupt', 'C-c');
    expect(await exitCodeOf('interrupt', exitFile)).toBe(130);
    expect(await readdir(dir)).toEqual(['exit.txt']);
  });
});
