import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApplyContext } from '../apply/types.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { inputError } from '../core/errors.js';
import type { Output } from '../core/output.js';
import { makeDirectory, readRegularFile } from '../core/safe-file.js';
import { DEFAULT_YAML_LIMITS } from '../core/yaml-limits.js';
import { newRunId } from '../engine/apply-run.js';
import type { ConnectedHosts } from '../engine/connect-hosts.js';
import { DebugLog } from '../engine/debug-log.js';
import { openConnections } from '../engine/open-connections.js';
import { sshTarget } from '../engine/targets.js';
import type { EngineStage } from '../engine/types.js';
import { TrustStore } from '../hosts/trust-on-first-use.js';
import type { Host } from '../inventory/defaults.js';
import { type LoadedInventory, loadInventoryFile, parseInventoryText } from '../inventory/load.js';
import { loadSecretsForRun } from '../secrets/file.js';
import { secretValues } from '../secrets/redact.js';
import { STATE_DIR, StateStore } from '../state/store.js';
import { editHosts } from './inventory-edit.js';
import type { RemovalPlan, Survey } from './plan.js';
import { survey } from './survey.js';

/**
 * What remove-host and replace-host share: the inventory and its checks, the debug log, asking the
 * hosts (the survey), the typed confirmation, and the records (inventory.yaml, state.json,
 * known_hosts) once a host has left.
 */

/** The flags both commands take. */
export interface HostChangeFlags {
  inventory: string;
  secrets?: string;
  /** The host that leaves. */
  host: string;
  plan: boolean;
  /** --confirm NAME: the typed confirmation, for scripts. */
  confirm?: string;
  strictHostKeys: boolean;
  concurrency: number;
  /** apply's preflight allowances (replace-host: for the new host). */
  allowUnsupportedOs?: boolean;
  allowUndersized?: boolean;
}

export interface OpenedChange {
  loaded: LoadedInventory;
  /** The host that leaves, as the inventory has it. */
  leaving: Host;
  stateDir: string;
  log: DebugLog;
}

/** Loads the inventory, refuses what the records cannot handle, and opens the command's debug log. */
export async function openHostChange(
  flags: HostChangeFlags,
  context: ApplyContext,
  command: string,
): Promise<OpenedChange> {
  const loaded = await loadInventoryFile(flags.inventory, context.cwd);
  const leaving = loaded.inventory.hosts.find((host) => host.name === flags.host);
  if (!leaving)
    throw inputError({
      what: `${flags.host} is not a host of ${loaded.file}`,
      evidence: [`hosts: ${loaded.inventory.hosts.map((host) => host.name).join(', ')}`],
      next: 'give the name as the inventory spells it',
    });
  // The inventory is rewritten at the end: a link or another kind of file is refused now, before any change.
  const kind = await lstat(loaded.file);
  if (!kind.isFile())
    throw inputError({
      what: `${loaded.file} is ${kind.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}: ${command} rewrites the inventory at the end and never replaces a link`,
      next: 'run it with -i naming the file itself',
    });
  const stateDir = join(loaded.baseDir, STATE_DIR);
  await makeDirectory(stateDir, 'the state folder for the log of this run');
  const secretsPath = flags.secrets ?? join(loaded.baseDir, 'secrets.yaml');
  const { secrets } = await loadSecretsForRun(secretsPath);
  const log = new DebugLog(
    join(stateDir, 'logs', `${command}-${newRunId()}.log`),
    secrets ? secretValues(secrets) : [],
  );
  return { loaded, leaving, stateDir, log };
}

/** Connects every host that answers and asks what the plan needs (src/remove-host/survey.ts); reads only. */
export async function surveyHosts(
  opened: OpenedChange,
  flags: HostChangeFlags,
  context: ApplyContext,
  command: string,
): Promise<Survey> {
  const { loaded, stateDir, log } = opened;
  const { output } = context;
  output.errorLine(`${command}: asking ${loaded.inventory.hosts.length} hosts what they run...`);
  const secretsPath = flags.secrets ?? join(loaded.baseDir, 'secrets.yaml');
  const { secrets } = await loadSecretsForRun(secretsPath);
  let connected: ConnectedHosts | undefined;
  try {
    connected = await openConnections({
      hosts: loaded.inventory.hosts,
      inventoryDir: loaded.baseDir,
      inventoryInput: loaded.input,
      stateDir,
      becomePassword: secrets?.ssh?.becomePassword,
      env: context.env,
      trustOnFirstUse: !flags.strictHostKeys,
      recordFirstSeenKeys: false,
      concurrency: flags.concurrency,
      log,
      emit: (event) => log.write(`event ${JSON.stringify(event)}`),
      output,
      signal: context.signal,
    });
    for (const failure of connected.failures) {
      const reason =
        (failure.error instanceof Error ? failure.error.message : String(failure.error)).split('\n')[0] ?? '';
      output.errorLine(`${command}: ${failure.host} does not answer (${reason})`);
      output.data({ type: 'host-unreachable', host: failure.host, error: reason });
    }
    return await survey(loaded.inventory, connected);
  } finally {
    connected?.closeAll();
  }
}

/** A plan as both commands show it: a title, the refusals or the numbered actions, the warnings. */
export function showChangePlan(
  output: Output,
  title: string,
  plan: { refusals: readonly string[]; actions: readonly string[]; warnings: readonly string[] },
): void {
  const { bold, red, yellow } = output.color;
  output.line(bold(title));
  if (plan.refusals.length > 0) {
    output.line(red('Refused: nothing was changed.'));
    for (const refusal of plan.refusals) output.line(`  ✖ ${refusal}`);
  } else {
    output.line('In this order:');
    for (const [index, action] of plan.actions.entries()) output.line(`  ${index + 1}. ${action}`);
  }
  for (const warning of plan.warnings) output.line(yellow(`  ! ${warning}`));
}

/** The typed confirmation: --confirm NAME in scripts, the name typed at a terminal. */
export async function confirmTyped(
  flags: HostChangeFlags,
  context: ApplyContext,
  command: 'remove-host' | 'replace-host',
  prompt: string,
): Promise<void> {
  if (flags.confirm !== undefined) {
    if (flags.confirm === flags.host) return;
    throw inputError({
      what: `--confirm ${flags.confirm} does not name the host to ${command === 'remove-host' ? 'remove' : 'replace'} (${flags.host}); nothing was changed`,
      next: `run again with --confirm ${flags.host}`,
    });
  }
  if (!context.interactive || context.output.json)
    throw inputError({
      what: `${command} changes the installation and needs a typed confirmation; nothing was changed`,
      next: `read the plan (--plan), then run again with --confirm ${flags.host}`,
    });
  const { input } = await import('@inquirer/prompts');
  const typed = await input({ message: prompt });
  if (typed.trim() !== flags.host)
    throw inputError({ what: `"${typed.trim()}" is not ${flags.host}; nothing was changed` });
}

/** The host is out: inventory.yaml (already edited as text), state.json and known_hosts no longer name it. */
export async function recordRemoval(opened: OpenedChange, inventoryText: string): Promise<void> {
  const { loaded, leaving, stateDir } = opened;
  await writeInventory(loaded, inventoryText);
  const state = await StateStore.open(stateDir);
  await state.removeHost(leaving.name);
  const target = sshTarget(leaving, loaded.baseDir, undefined);
  await (await TrustStore.open(stateDir)).forget(target.address, target.port);
}

/**
 * The loader's view of the inventory for the engine run: without the host, unless a step of
 * `stage` runs on it (kubeadm reset, nodetool decommission on a host that answers); in the order
 * of the inventory after the removal.
 */
export function runInventory(
  loaded: LoadedInventory,
  plan: RemovalPlan,
  stage: EngineStage,
): LoadedInventory {
  const keep = stage.steps.some((step) => step.hosts.includes(plan.host));
  const order = plan.inventory.hosts.map((host) => host.name);
  const rank = (name: string) => (name === plan.host ? order.length : order.indexOf(name));
  const hosts = loaded.input.hosts
    .filter((host) => keep || host.name !== plan.host)
    .sort((a, b) => rank(a.name) - rank(b.name));
  const inventory = keep
    ? {
        ...plan.inventory,
        hosts: [...plan.inventory.hosts, ...loaded.inventory.hosts.filter((h) => h.name === plan.host)],
      }
    : plan.inventory;
  return { ...loaded, inventory, input: { ...loaded.input, hosts } };
}

/**
 * inventory.yaml without the host (comments and layout kept), checked by loading it again: made
 * before anything changes, so a layout the edit cannot handle stops the command at the start.
 */
export async function editedInventory(loaded: LoadedInventory, plan: RemovalPlan): Promise<string> {
  const read = await readRegularFile(loaded.file, {
    role: 'the inventory',
    followLink: true,
    maxBytes: DEFAULT_YAML_LIMITS.maxBytes,
  });
  if (!read) throw new Error(`${loaded.file} is gone`);
  const names = loaded.input.hosts.map((host) => host.name);
  const remove = names.indexOf(plan.host);
  let move: { index: number; before: number } | undefined;
  if (plan.promote) {
    const firstLeft = loaded.inventory.hosts.find(
      (host) => host.name !== plan.host && host.roles.includes('postgresql'),
    );
    if (firstLeft && firstLeft.name !== plan.promote)
      move = { index: names.indexOf(plan.promote), before: names.indexOf(firstLeft.name) };
  }
  const cannot = (why: string) =>
    inputError({
      what: `${loaded.file}: remove-host cannot take ${plan.host} out of this file by itself (${why}); nothing was changed`,
      next: 'write each host of the hosts list as its own entry (`- name: ...` or `- { name: ... }`, no YAML anchors or merges), then run again',
    });
  let text: string;
  try {
    text = editHosts(read.text, loaded.locate, names.length, remove, move);
  } catch (error) {
    throw cannot((error as Error).message);
  }
  let got = '';
  try {
    got = parseInventoryText(text, loaded.file)
      .inventory.hosts.map((host) => host.name)
      .join(',');
  } catch {
    throw cannot('the edited file would not load');
  }
  const want = plan.inventory.hosts.map((host) => host.name).join(',');
  if (got !== want) throw cannot(`the edited file would list ${got}, not ${want}`);
  return text;
}

/** Writes the edited inventory over the file, as the same owner and mode, atomically. */
export async function writeInventory(loaded: LoadedInventory, text: string): Promise<void> {
  const stat = await lstat(loaded.file);
  await writeFileAtomic(loaded.file, text, {
    mode: stat.mode & 0o777,
    owner: { uid: stat.uid, gid: stat.gid },
    role: 'the inventory',
  });
}
