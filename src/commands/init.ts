import type { Command } from 'commander';
import { notBuiltYet } from './not-built.js';
import type { CommandContext } from './types.js';

export function configure(_command: Command): void {}

export async function run(_options: Record<string, unknown>, context: CommandContext): Promise<number> {
  return notBuiltYet('init', 'issue 2', context);
}
