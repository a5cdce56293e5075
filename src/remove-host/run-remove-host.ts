import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApplyContext, EngineRunFlags } from '../apply/types.js';
import { adminKubeconfigPath } from '../cluster/kubeconfig.js';
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
import { TrustStore } from '../hosts/trust-on-first-use.js';
import { type LoadedInventory, loadInventoryFile, parseInventoryText } from '../inventory/load.js';
import { loadSecretsForRun } from '../secrets/file.js';
import { secretValues } from '../secrets/redact.js';
import { loadState, STATE_DIR, StateStore } from '../state/store.js';
import { editHosts } from './inventory-edit.js';
import { planRemoval, type RemovalPlan } from './plan.js';
import { followUpSteps, POSTGRESQL_CHART_STEP, REMOVE_HOST_STAGE, removeHostStage } from './stages.js';
import { survey } from './survey.js';

/** `wire-install remove-host`'s flags. */
export interface RemoveHostFlags {
  inventory: string;
  secrets?: string;
  host: string;
  plan: boolean;
  /** --confirm NAME: the typed confirmation, for scripts. */
  confirm?: string;
  strictHostKeys: boolean;
  concurrency: number;
}

function showPlan(plan: RemovalPlan, output: Output): void {
  const { bold, red, yellow } = output.color;
  output.line(bold(`remove-host ${plan.host} (roles: ${plan.roles.join(', ')})`));
  if (plan.refusals.length > 0) {
    output.line(red('Refused: nothing was changed.'));
    for (const refusal of plan.refusals) output.line(`  ✖ ${refusal}`);
  } else {
    output.line('In this order:');
    for (const [index, action] of plan.actions.entries()) output.line(`  ${index + 1}. ${action}`);
  }
  for (const warning of plan.warnings) output.line(yellow(`  ! ${warning}`));
  output.data({ type: 'remove-host-plan', ...plan, inventory: undefined });
}

/** The typed confirmation: --confirm NAME in scripts, the name typed at a terminal. */
async function confirmRemoval(flags: RemoveHostFlags, context: ApplyContext): Promise<void> {
  if (flags.confirm !== undefined) {
    if (flags.confirm === flags.host) return;
    throw inputError({
      what: `--confirm ${flags.confirm} does not name the host to remove (${flags.host}); nothing was changed`,
      next: `run again with --confirm ${flags.host}`,
    });
  }
  if (!context.interactive || context.output.json)
    throw inputError({
      what: `remove-host changes the installation and needs a typed confirmation; nothing was changed`,
      next: `read the plan (--plan), then run again with --confirm ${flags.host}`,
    });
  const { input } = await import('@inquirer/prompts');
  const typed = await input({ message: `Type ${flags.host} to remove it from the installation:` });
  if (typed.trim() !== flags.host)
    throw inputError({ what: `"${typed.trim()}" is not ${flags.host}; nothing was changed` });
}

/**
 * The loader's view of the inventory for the engine run: without the host, unless a step runs on
 * it (kubeadm reset, nodetool decommission on a host that answers); in the order of the inventory after the removal.
 */
function runInventory(loaded: LoadedInventory, plan: RemovalPlan): LoadedInventory {
  const keep =
    plan.kubernetes?.reset === true || (plan.cassandra !== undefined && 'decommission' in plan.cassandra);
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
async function editedInventory(loaded: LoadedInventory, plan: RemovalPlan): Promise<string> {
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
async function writeInventory(loaded: LoadedInventory, text: string): Promise<void> {
  const stat = await lstat(loaded.file);
  await writeFileAtomic(loaded.file, text, {
    mode: stat.mode & 0o777,
    owner: { uid: stat.uid, gid: stat.gid },
    role: 'the inventory',
  });
}

export async function runRemoveHost(flags: RemoveHostFlags, context: ApplyContext): Promise<number> {
  const { output } = context;
  const loaded = await loadInventoryFile(flags.inventory, context.cwd);
  const removed = loaded.inventory.hosts.find((host) => host.name === flags.host);
  if (!removed)
    throw inputError({
      what: `${flags.host} is not a host of ${loaded.file}`,
      evidence: [`hosts: ${loaded.inventory.hosts.map((host) => host.name).join(', ')}`],
      next: 'give the name as the inventory spells it',
    });
  // The inventory is rewritten at the end: a link or another kind of file is refused now, before any change.
  const kind = await lstat(loaded.file);
  if (!kind.isFile())
    throw inputError({
      what: `${loaded.file} is ${kind.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}: remove-host rewrites the inventory at the end and never replaces a link`,
      next: 'run it with -i naming the file itself',
    });
  const stateDir = join(loaded.baseDir, STATE_DIR);
  await makeDirectory(stateDir, 'the state folder for the log of this run');
  const secretsPath = flags.secrets ?? join(loaded.baseDir, 'secrets.yaml');
  const { secrets } = await loadSecretsForRun(secretsPath);
  const log = new DebugLog(
    join(stateDir, 'logs', `remove-host-${newRunId()}.log`),
    secrets ? secretValues(secrets) : [],
  );
  output.errorLine(`remove-host: asking ${loaded.inventory.hosts.length} hosts what they run...`);
  let connected: ConnectedHosts | undefined;
  let plan: RemovalPlan;
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
      output.errorLine(`remove-host: ${failure.host} does not answer (${reason})`);
      output.data({ type: 'host-unreachable', host: failure.host, error: reason });
    }
    plan = planRemoval(loaded.inventory, flags.host, await survey(loaded.inventory, connected));
  } finally {
    connected?.closeAll();
  }
  showPlan(plan, output);
  if (plan.refusals.length > 0) return 2;
  const inventoryText = await editedInventory(loaded, plan);
  if (flags.plan) return 0;
  await confirmRemoval(flags, context);

  const kubeconfigPath = adminKubeconfigPath(loaded.inventory, loaded.baseDir);
  const stage = removeHostStage(plan, kubeconfigPath);
  const chartInstalled = Object.values((await loadState(stateDir)).steps[POSTGRESQL_CHART_STEP] ?? {}).some(
    (record) => record.status === 'succeeded',
  );
  const steps = [...stage.steps.map((step) => step.id), ...followUpSteps(plan, chartInstalled)];
  if (steps.length > 0) {
    const { runOnHosts } = await import('../apply/run-on-hosts.js');
    const { wireEngineStages } = await import('../plan/engine-stages.js');
    const engineFlags: EngineRunFlags = {
      inventory: flags.inventory,
      ...(flags.secrets ? { secrets: flags.secrets } : {}),
      plan: false,
      only: steps.join(','),
      concurrency: flags.concurrency,
      uploadConcurrency: 4,
      helmTimeout: '15m',
      strictHostKeys: flags.strictHostKeys,
      allowUnsupportedOs: false,
      allowUndersized: false,
    };
    const code = await runOnHosts(
      engineFlags,
      runInventory(loaded, plan),
      {
        ...context,
        // Wire's steps for the inventory after the removal, whatever hosts the run connects to.
        engineStages: (_inventory, dir, options) => [
          stage,
          ...wireEngineStages(plan.inventory, dir, options),
        ],
      },
      { commandLine: `wire-install remove-host ${flags.host} -i ${loaded.file}` },
    );
    if (code !== 0) {
      output.errorLine(
        `remove-host: stopped; ${flags.host} is still in ${loaded.file}. Fix what is shown above and run \`wire-install remove-host ${flags.host} --confirm ${flags.host}\` again: what was done is not done twice.`,
      );
      return code;
    }
  }
  await writeInventory(loaded, inventoryText);
  const state = await StateStore.open(stateDir);
  await state.removeHost(flags.host);
  const target = sshTarget(removed, loaded.baseDir, undefined);
  await (await TrustStore.open(stateDir)).forget(target.address, target.port);
  output.line(
    `${flags.host} is out: ${loaded.file}, ${join(STATE_DIR, 'state.json')} and ${join(STATE_DIR, 'known_hosts')} no longer name it.`,
  );
  if (plan.promote && !chartInstalled)
    output.line(
      `Next, once Wire's charts are installed: wire-install apply -i ${flags.inventory}   # postgresql-external points wire-server at the new primary ${plan.promote}`,
    );
  output.data({
    type: 'remove-host-done',
    host: flags.host,
    promoted: plan.promote ?? null,
    stage: REMOVE_HOST_STAGE,
  });
  return 0;
}
