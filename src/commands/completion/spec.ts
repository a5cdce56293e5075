import { Command } from 'commander';
import { DOCTOR_GROUPS } from '../../doctor/types.js';
import { allSteps } from '../../steps/registry.js';
import { STAGE_IDS } from '../../steps/stages.js';
import { DEMO_CHARTS, PRODUCTION_CHARTS } from '../../wire/charts.js';
import { commandRegistry } from '../registry.js';

/**
 * What shell completion offers, read from the same places the CLI itself uses: the command
 * registry and each command's own flags (its configure()), the stage and step ids of apply,
 * the upgrade's, and doctor's groups. The shell scripts (scripts.ts) are generated from
 * this, so a new command, flag or step completes as soon as it exists.
 */
export interface FlagSpec {
  /** `--only`, and `-i` when the flag has a short form. */
  names: string[];
  /** Whether a value follows (`--only <step>`). */
  takesValue: boolean;
  /** The values to offer, or 'file' for a path; none: free text. */
  values?: readonly string[] | 'file';
}

export interface CommandSpec {
  name: string;
  flags: FlagSpec[];
  /** Words for the command's positional argument, if it takes one from a fixed set. */
  positional?: readonly string[];
}

/** Positional arguments from a fixed set, by command. */
const POSITIONAL: Record<string, readonly string[]> = { completion: ['bash', 'zsh'] };

/**
 * The upgrade's own stage and step ids (src/upgrade), beside the apply steps it reuses. Written
 * out: the upgrade builds its steps from an inventory; test/unit/upgrade/upgrade-stages.test.ts
 * builds them for a demo and a production inventory and fails on an id missing here.
 */
function upgradeIds(): string[] {
  const releases = [...new Set([...PRODUCTION_CHARTS, ...DEMO_CHARTS].map((chart) => chart.release))];
  return [
    'upgrade-pre-checks',
    'upgrade-backup',
    'upgrade-reseed',
    'upgrade-charts',
    'upgrade-migrations',
    'upgrade-verify',
    'upgrade.pre-check.nodes',
    'upgrade.pre-check.pods',
    'upgrade.pre-check.backup-disk',
    'upgrade.backup-files',
    'upgrade.backup-cassandra',
    'upgrade.backup-postgresql',
    'upgrade.backup-rabbitmq',
    ...releases.map((release) => `upgrade.chart.${release}`),
  ];
}

export function applyIds(): string[] {
  return [...new Set([...STAGE_IDS, ...allSteps.map((step) => step.id)])];
}

export function upgradeCompletionIds(): string[] {
  return [...new Set([...upgradeIds(), ...applyIds()])];
}

/** Values of a flag by its long name, per command; flags with `<file>` complete paths. */
function valuesFor(command: string, long: string, flags: string): FlagSpec['values'] {
  if (['--only', '--from', '--force'].includes(long)) {
    if (command === 'apply') return applyIds();
    if (command === 'upgrade') return upgradeCompletionIds();
    if (command === 'doctor' && long === '--only') return DOCTOR_GROUPS;
  }
  if (long === '--mode') return ['demo', 'production'];
  if (long === '--certificates') return ['cert-manager', 'bring-your-own', 'self-signed'];
  if (/<(file|dir|path|folder|[a-z-]*file)>/.test(flags)) return 'file';
  return undefined;
}

export async function completionSpec(): Promise<CommandSpec[]> {
  const commands: CommandSpec[] = [];
  for (const entry of commandRegistry) {
    const command = new Command(entry.name);
    (await entry.load()).configure(command);
    const flags = command.options.map((option): FlagSpec => {
      const long = option.long ?? option.short ?? '';
      const values =
        option.required || option.optional ? valuesFor(entry.name, long, option.flags) : undefined;
      return {
        names: [option.long, option.short].filter((name): name is string => name !== undefined),
        takesValue: Boolean(option.required || option.optional),
        ...(values ? { values } : {}),
      };
    });
    flags.push({ names: ['--help', '-h'], takesValue: false });
    const positional = POSITIONAL[entry.name];
    commands.push({ name: entry.name, flags, ...(positional ? { positional } : {}) });
  }
  return commands;
}

/** The options every command takes (src/cli.ts). */
export const GLOBAL_FLAGS: readonly string[] = ['--json', '--no-color', '--verbose', '--help'];
