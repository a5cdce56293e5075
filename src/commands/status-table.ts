import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { CommandContext } from '../core/command-context.js';
import { inputError } from '../core/errors.js';
import type { LockHolder } from '../state/lock.js';
import { loadState, STATE_DIR, type StepRecord } from '../state/store.js';

/** The checkpoint table, from the state file alone (no inventory checks, no host contacted). */

async function readLock(stateDir: string): Promise<LockHolder | undefined> {
  try {
    return JSON.parse(await readFile(join(stateDir, 'lock'), 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

const when = (iso: string) => iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');

export async function showStatus(
  inventory: string,
  perHost: boolean,
  context: CommandContext,
): Promise<number> {
  const inventoryPath = resolve(context.cwd, inventory);
  const stateDir = join(dirname(inventoryPath), STATE_DIR);
  const { output } = context;
  const { color } = output;
  const state = await loadState(stateDir);
  const lock = await readLock(stateDir);
  const steps = Object.entries(state.steps);
  if (lock) {
    output.data({ type: 'lock', ...lock });
    output.line(
      color.yellow(
        `A run is in progress: ${lock.command} (pid ${lock.pid} on ${lock.hostname}, since ${lock.startedAt})`,
      ),
    );
  }
  if (steps.length === 0) {
    if (!lock) {
      throw inputError({
        what: `no checkpoints beside ${inventoryPath}: apply has not run for this inventory (${join(stateDir, 'state.json')} is missing)`,
        next: 'run wire-install apply --plan to see what apply would do',
      });
    }
    return 0;
  }
  output.line(`Checkpoints in ${join(stateDir, 'state.json')}`);
  const width = Math.max(...steps.map(([step]) => step.length));
  for (const [step, hosts] of steps) {
    const records = Object.entries(hosts) as [string, StepRecord][];
    for (const [host, record] of records) output.data({ type: 'checkpoint', step, host, ...record });
    const failed = records.filter(([, record]) => record.status === 'failed');
    const latest =
      records
        .map(([, r]) => r.finishedAt)
        .sort()
        .at(-1) ?? '';
    if (perHost) {
      for (const [host, record] of records) {
        const mark = record.status === 'succeeded' ? color.green('✓') : color.red('✗');
        output.line(
          `${mark} ${step.padEnd(width)}  ${host}  ${record.status}  ${when(record.finishedAt)}  run ${record.runId}${record.error ? `  ${record.error}` : ''}`,
        );
      }
      continue;
    }
    const ok = records.length - failed.length;
    const mark = failed.length === 0 ? color.green('✓') : color.red('✗');
    output.line(
      `${mark} ${step.padEnd(width)}  succeeded on ${ok}/${records.length} hosts  last ${when(latest)}`,
    );
    for (const [host, record] of failed) output.line(`    ${color.red(host)}: ${record.error ?? 'failed'}`);
  }
  return 0;
}
