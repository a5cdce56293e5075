import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';

/**
 * A tmux server of the test's own (its socket in a temporary directory), for running the CLI
 * in a real terminal and reading the screen. The test talks to, and kills, only this server.
 * tmux is required: CI installs it (scripts/setup.sh).
 */
export interface Tmux {
  run(...args: string[]): Promise<unknown>;
  screen(session: string): Promise<string>;
  /** Waits until `text` is on the screen; fails with the screen after `waitMs`. */
  waitFor(session: string, text: string | RegExp): Promise<void>;
  /** Starts `command` in a new 160x50 session in `dir`, with NO_COLOR=1 and `env`. */
  start(session: string, dir: string, command: string, env?: Record<string, string>): Promise<void>;
  /** Stops the server and removes its socket's directory. */
  close(): Promise<void>;
}

export async function startTmux(waitMs = 15_000): Promise<Tmux> {
  try {
    await execa('tmux', ['-V']);
  } catch {
    throw new Error('tmux is required for the terminal tests (apt-get install tmux); CI installs it');
  }
  const socket = join(await mkdtemp(join(tmpdir(), 'wire-install-tmux-')), 'socket');
  const run = (...args: string[]) => execa('tmux', ['-S', socket, '-f', '/dev/null', ...args]);
  const screen = async (session: string) => (await run('capture-pane', '-p', '-J', '-t', session)).stdout;
  return {
    run,
    screen,
    async waitFor(session, text) {
      const deadline = Date.now() + waitMs;
      for (;;) {
        const shown = await screen(session);
        if (typeof text === 'string' ? shown.includes(text) : text.test(shown)) return;
        if (Date.now() > deadline)
          throw new Error(`"${String(text)}" did not appear within ${waitMs} ms. Screen:\n${shown}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async start(session, dir, command, env = {}) {
      const vars = Object.entries({ NO_COLOR: '1', ...env }).flatMap(([key, value]) => [
        '-e',
        `${key}=${value}`,
      ]);
      await run('new-session', '-d', '-s', session, '-x', '160', '-y', '50', '-c', dir, ...vars, command);
    },
    async close() {
      await run('kill-server').catch(() => undefined);
      await rm(dirname(socket), { recursive: true, force: true });
    },
  };
}
