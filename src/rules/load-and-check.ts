import { join } from 'node:path';
import type { CommandContext } from '../core/command-context.js';
import { inputError } from '../core/errors.js';
import { hasErrors } from '../core/finding.js';
import { type LoadedInventory, loadInventoryFile } from '../inventory/load.js';
import { loadState, STATE_DIR } from '../state/store.js';
import { checkInventory } from './index.js';
import { checkAgainstInstalled } from './installed.js';
import { renderFindings } from './render-findings.js';

/**
 * What apply and upgrade do first with the inventory: load it (schema errors are exit 2),
 * check Wire's rules, print the findings, and refuse to go on when any is an error. Here, not in
 * src/inventory: it runs the rules, and the rules read the inventory (rules -> inventory).
 */
export async function loadAndCheckInventory(
  path: string,
  context: Pick<CommandContext, 'cwd' | 'output'>,
): Promise<LoadedInventory> {
  const loaded = await loadInventoryFile(path, context.cwd);
  const findings = [
    ...(await checkInventory(loaded.inventory, { baseDir: loaded.baseDir })),
    // The inventory against what was installed: a local file, no host contacted.
    ...checkAgainstInstalled(loaded.inventory, await loadState(join(loaded.baseDir, STATE_DIR))),
  ].sort((a, b) => Number(a.severity === 'warning') - Number(b.severity === 'warning'));
  renderFindings(findings, context.output, loaded);
  if (hasErrors(findings)) {
    const errors = findings.filter((finding) => finding.severity === 'error').length;
    throw inputError({
      what: `${loaded.file}: ${errors} ${errors === 1 ? 'error' : 'errors'} against Wire's rules (listed above)`,
      next: 'fix the inventory and run the command again; docs/rules.md explains each rule',
    });
  }
  if (findings.length > 0) context.output.errorLine('');
  return loaded;
}
