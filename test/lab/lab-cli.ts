import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import type { EngineEvent } from '../../src/engine/events.js';
import { LAB_KEY, LAB_KNOWN_HOSTS, labHosts } from './lab-hosts.js';

/**
 * The lab play through the real CLI, as a process: test/lab/play/wire-install-lab.mjs is
 * bin/wire-install with the lab play's stages in place of Wire's (which have no operations
 * yet). Each test gets its own folder (inventory, lab-play.json, .wire-install state) and its
 * own HOME whose ~/.ssh/known_hosts holds the lab's host keys.
 */
export const LAB_APT_SOURCE = 'deb [trusted=yes] file:/srv/lab-apt ./';

export const LAB_CLI = fileURLToPath(new URL('./play/wire-install-lab.mjs', import.meta.url));

export interface LabWorkspace {
  dir: string;
  inventory: string;
  home: string;
  setVars(vars: Record<string, unknown>): void;
}

/**
 * The inventory of the lab's first `count` hosts, laid out as test/lab/lab.sh writes it: one
 * host is a demo; five or more are production (three nodes with the databases, workers, the
 * last one the asset host). Other counts break Wire's rules, so tests do not use them.
 */
export function labInventory(count: number): string {
  const hosts = labHosts().slice(0, count);
  if (hosts.length < count) throw new Error(`the lab has ${hosts.length} hosts, the test needs ${count}`);
  if (count !== 1 && count < 5) throw new Error('a lab inventory has 1 host (demo) or 5 and more');
  const roles = (index: number) => {
    if (count === 1) return 'kube-control-plane, kube-worker';
    if (index < 3)
      return 'kube-control-plane, kube-worker, cassandra, elasticsearch, minio, postgresql, rabbitmq';
    return index === count - 1 ? 'assethost' : 'kube-worker';
  };
  return [
    'apiVersion: wire-install/v1',
    'kind: Inventory',
    `mode: ${count === 1 ? 'demo' : 'production'}`,
    'domain: wire.lab.test',
    'certificates:',
    '  mode: self-signed',
    'ssh:',
    '  user: root',
    `  identityFile: ${LAB_KEY}`,
    // The lab's repository on each host's disk stands in for the bundle's on the asset host.
    'bundle:',
    `  aptRepository: "${LAB_APT_SOURCE}"`,
    'hosts:',
    ...hosts.map(
      (host, index) => `  - { name: ${host.name}, address: ${host.address}, roles: [${roles(index)}] }`,
    ),
    '',
  ].join('\n');
}

/** A folder with an inventory for the lab's first `count` hosts, and a HOME that knows their keys. */
export function labWorkspace(
  count: number,
  edit: (inventory: string) => string = (text) => text,
): LabWorkspace {
  const dir = mkdtempSync(join(tmpdir(), 'wil-engine-'));
  const home = join(dir, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  copyFileSync(LAB_KNOWN_HOSTS, join(home, '.ssh', 'known_hosts'));
  const inventory = join(dir, 'inventory.yaml');
  writeFileSync(inventory, edit(labInventory(count)));
  return {
    dir,
    inventory,
    home,
    setVars: (vars) => writeFileSync(join(dir, 'lab-play.json'), JSON.stringify(vars)),
  };
}

export interface LabRun {
  exitCode: number;
  events: EngineEvent[];
  stdout: string;
  stderr: string;
}

export function parseEvents(stdout: string): EngineEvent[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as EngineEvent);
}

/** `wire-install` itself, with Wire's stages (for the steps of Wire's that are built). */
export const WIRE_CLI = fileURLToPath(new URL('../../bin/wire-install', import.meta.url));

/**
 * How long a CLI run in a test may take before it is killed (one host-side run: longer). Twice
 * what the slowest run needs alone: lab files run two at a time (scripts/test.sh) on a machine
 * of two CPUs, and a run that waits its turn for the CPU is not a failure.
 */
export const CLI_TIMEOUT_MS = 240_000;

export function startLabCli(
  workspace: LabWorkspace,
  args: string[],
  cli: string = LAB_CLI,
  timeoutMs = CLI_TIMEOUT_MS,
): ResultPromise<{ reject: false }> {
  return execa('node', [cli, ...args, '-i', workspace.inventory], {
    cwd: workspace.dir,
    env: { NO_COLOR: '1', HOME: workspace.home },
    reject: false,
    timeout: timeoutMs,
  });
}

export async function runLabCli(
  workspace: LabWorkspace,
  args: string[],
  cli: string = LAB_CLI,
  timeoutMs = CLI_TIMEOUT_MS,
): Promise<LabRun> {
  const result = await startLabCli(workspace, args, cli, timeoutMs);
  const killed = result.timedOut ? `\n(the test killed the run after ${timeoutMs / 1000} s)` : '';
  return {
    exitCode: result.exitCode ?? -1,
    events: parseEvents(String(result.stdout)),
    stdout: String(result.stdout),
    stderr: `${String(result.stderr)}${killed}`,
  };
}

/** Resolves with the first --json event of a running process that `matches`. */
export function waitForEvent(
  child: ResultPromise<{ reject: false }>,
  matches: (event: EngineEvent) => boolean,
): Promise<EngineEvent> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.startsWith('{')) {
          const event = JSON.parse(line) as EngineEvent;
          if (matches(event)) resolve(event);
        }
        newline = buffer.indexOf('\n');
      }
    });
    child.then(() => reject(new Error('the process ended before the event came')));
  });
}

export type StepFinished = Extract<EngineEvent, { type: 'step-finished' }>;

export const finished = (events: EngineEvent[]): StepFinished[] =>
  events.filter((event): event is StepFinished => event.type === 'step-finished');

export const started = (events: EngineEvent[]) =>
  events.filter(
    (event): event is Extract<EngineEvent, { type: 'step-started' }> => event.type === 'step-started',
  );

/** labWorkspace with the unpacked (stand-in) bundle at `bundle` as bundle.path. */
export const labWorkspaceWithBundle = (count: number, bundle: string): LabWorkspace =>
  labWorkspace(count, (text) => text.replace('bundle:\n', `bundle:\n  path: ${bundle}\n`));
