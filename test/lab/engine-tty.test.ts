import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTmux, type Tmux } from '../support/tmux.js';
import { LAB_CLI, labWorkspace } from './lab-cli.js';
import { labHosts } from './lab-hosts.js';
import { freshHosts } from './lab-reset.js';

/**
 * apply in a real terminal (tmux): the listr2 tree of stage, step and host, resolved by the
 * engine's events, then the summary. The same run without a terminal prints plain lines
 * (engine-apply.test.ts reads those and the JSON events).
 */

const hosts = labHosts().slice(0, 1);
const [host] = hosts;
if (!host) throw new Error('the lab has no hosts');
/** The host's name, escaped for a regular expression. */
const hostPattern = host.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
let terminal: Tmux;

beforeAll(async () => {
  terminal = await startTmux(30_000);
  await freshHosts(hosts);
}, 60_000);
afterAll(async () => {
  await terminal.close();
  await freshHosts(hosts);
}, 60_000);

describe('apply in a terminal', () => {
  it('draws the tree of stage, step and host, then the summary', async () => {
    const workspace = labWorkspace(1);
    const command = `node '${LAB_CLI}' apply -i '${workspace.inventory}'; echo EXIT=$?; sleep 600`;
    await terminal.start('apply', workspace.dir, command, { HOME: workspace.home });
    await terminal.waitFor('apply', /EXIT=\d+/);
    const screen = await terminal.screen('apply');
    expect(screen).toContain('EXIT=0');
    expect(screen).toContain('✔ Lab play: packages, a user, kernel settings, a service');
    expect(screen).toMatch(
      new RegExp(`✔ Configure and run wil-hello lab\\.hello\\n\\s+✔ ${hostPattern}: create /etc/wil-hello`),
    );
    expect(screen).toContain('Apply succeeded: 6 changed, 0 unchanged, 0 current (checkpoint)');

    const again = `node '${LAB_CLI}' apply -i '${workspace.inventory}'; echo AGAIN=$?; sleep 600`;
    await terminal.start('again', workspace.dir, again, { HOME: workspace.home });
    await terminal.waitFor('again', /AGAIN=\d+/);
    const second = await terminal.screen('again');
    expect(second).toMatch(
      new RegExp(`✔ The wilhello user and group lab\\.user\\n\\s+↓ ${hostPattern}: current`),
    );
    expect(second).toContain('Apply succeeded: 0 changed, 0 unchanged, 6 current (checkpoint)');
  }, 60_000);
});
