import { inputError } from '../core/errors.js';
import { type LoadedInventory, loadInventoryFile } from '../inventory/load.js';
import { hasErrors } from '../rules/finding.js';
import { checkInventory } from '../rules/index.js';
import { renderFindings } from '../rules/render-findings.js';
import type { CommandContext } from './types.js';

/**
 * What every command that reads an inventory does first: load it (schema errors are exit 2),
 * check Wire's rules, print the findings, and refuse to go on when any is an error.
 */
export async function loadAndCheckInventory(path: string, context: CommandContext): Promise<LoadedInventory> {
  const loaded = await loadInventoryFile(path, context.cwd);
  const findings = await checkInventory(loaded.inventory, { baseDir: loaded.baseDir });
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
