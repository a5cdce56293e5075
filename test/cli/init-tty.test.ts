import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseInventoryText } from '../../src/inventory/load.js';
import { CLI } from './run-cli.js';

/**
 * The wizard once for real, in a terminal: tmux runs the built CLI, the test types the answers
 * of a demo setup (waiting for each prompt on the screen, with a bounded wait) and checks the
 * files and the exit code. tmux is required: CI installs it, and without it this test fails.
 */

/** A socket of our own in a temporary directory: this test talks to, and kills, only its server. */
let socket = '';
const WAIT_MS = 15_000;

async function tmux(...args: string[]) {
  return execa('tmux', ['-S', socket, '-f', '/dev/null', ...args]);
}

async function screen(session: string): Promise<string> {
  return (await tmux('capture-pane', '-p', '-J', '-t', session)).stdout;
}

/** Waits until `text` is on the screen (or `file` exists); fails with the screen after WAIT_MS. */
async function waitFor(session: string, text: string | RegExp): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const shown = await screen(session);
    if (typeof text === 'string' ? shown.includes(text) : text.test(shown)) return;
    if (Date.now() > deadline)
      throw new Error(`"${String(text)}" did not appear within ${WAIT_MS} ms. Screen:\n${shown}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

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
  const command = `node '${CLI}' init; echo EXIT=$? > '${exitFile}'; sleep 600`;
  await tmux(
    'new-session',
    '-d',
    '-s',
    session,
    '-x',
    '160',
    '-y',
    '50',
    '-c',
    dir,
    '-e',
    'NO_COLOR=1',
    command,
  );
  return exitFile;
}

beforeAll(async () => {
  socket = join(await mkdtemp(join(tmpdir(), 'wire-install-tmux-')), 'socket');
  try {
    await execa('tmux', ['-V']);
  } catch {
    throw new Error(
      'tmux is required for the terminal test of `init` (apt-get install tmux); CI installs it',
    );
  }
});

afterAll(async () => {
  // Only the tmux server this test started, by its own socket; then the socket's directory.
  await tmux('kill-server').catch(() => undefined);
  for (const dir of [dirname(socket), ...made]) await rm(dir, { recursive: true, force: true });
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
