import type { CommandModule } from './types.js';

/**
 * Every command of wire-install, in the order `--help` lists them. Only the summary lives
 * here; the command's own file is imported when it runs (lazy loading keeps start-up fast).
 * Tests walk this list, so a new command is covered by the CLI tests as soon as it is added.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<CommandModule>;
}

export const commandRegistry: readonly CommandEntry[] = [
  {
    name: 'init',
    summary: 'write inventory.yaml and secrets.yaml, interactively or from flags',
    load: () => import('./init.js'),
  },
  {
    name: 'apply',
    summary: 'install or update Wire on the inventory hosts (--plan previews the stages)',
    load: () => import('./apply.js'),
  },
  {
    name: 'doctor',
    summary: 'diagnose an installation, with evidence and a fix for each finding',
    load: () => import('./doctor.js'),
  },
  {
    name: 'upgrade',
    summary: 'move an installation to a new Wire version, with backups and a way back',
    load: () => import('./upgrade.js'),
  },
  {
    name: 'remove-host',
    summary: 'take a host out of the installation, role by role, with a plan and a typed confirmation',
    load: () => import('./remove-host.js'),
  },
  {
    name: 'replace-host',
    summary: 'put a new host in the place of an old one, role by role, then take the old one out',
    load: () => import('./replace-host.js'),
  },
  {
    name: 'status',
    summary: 'show the checkpoint table of the last apply',
    load: () => import('./status.js'),
  },
  {
    name: 'completion',
    summary: 'print the shell completion script for bash or zsh',
    load: () => import('./completion.js'),
  },
];
