import type { Output } from '../core/output.js';
import type { InitAnswers, PartialAnswers } from './answers.js';
import { completeAnswers } from './complete-answers.js';
import { interrupted, type Prompter } from './prompter.js';
import { askHosts } from './wizard-hosts.js';
import { askCalling, askCertificates, askDomain, askMode, type WizardContext } from './wizard-sections.js';
import { askBundle, askSsh } from './wizard-ssh.js';

/**
 * The interactive flow of `init`: mode and domain, certificates, calling (before hosts, so a
 * suggested layout can place SFT and TURN), hosts, SSH, bundle; then a review of the summary
 * and the rules' findings, from which any section can be reopened. Writing is the caller's
 * job: the wizard only returns the answers, once the user chose to write them.
 */

export interface WizardOptions {
  prompter: Prompter;
  output: Output;
  cwd: string;
  /** Answers given by flags or an answers file: not asked again on the first pass. */
  preset?: PartialAnswers;
  /**
   * Shows the summary and the findings of these answers. `blocking` when an error finding
   * forbids writing them.
   */
  review(answers: InitAnswers): Promise<{ blocking: boolean }>;
  /** What the write choice writes, e.g. `inventory.yaml and secrets.yaml`. */
  writes: string;
}

type Section = 'basics' | 'certificates' | 'calling' | 'hosts' | 'ssh' | 'bundle';
type ReviewChoice = 'write' | `edit-${Section}` | 'quit';

async function ask(section: Section, ctx: WizardContext, a: PartialAnswers): Promise<PartialAnswers> {
  switch (section) {
    case 'basics': {
      const mode = await askMode(ctx, a);
      const domain = await askDomain(ctx, { ...a, mode });
      if (a.mode === undefined || mode === a.mode) return { ...a, mode, domain };
      // A new mode needs its own hosts: demo keeps the first host, production starts over.
      const moved = { ...a, mode, domain, hosts: mode === 'demo' ? (a.hosts ?? []).slice(0, 1) : [] };
      return { ...moved, hosts: await askHosts(ctx, moved) };
    }
    case 'certificates':
      return { ...a, ...(await askCertificates(ctx, a)) };
    case 'calling': {
      const next = { ...a, ...(await askCalling(ctx, a)) };
      const hosts = next.hosts ?? [];
      if (next.mode === 'production' && hosts.length > 0) {
        for (const [on, role] of [
          [next.sft, 'sftd'],
          [next.coturn, 'coturn'],
        ] as const) {
          if (on && !hosts.some((host) => host.roles.includes(role))) {
            ctx.output.line(
              `Note: no host has the ${role} role yet; add it to a Kubernetes node under "hosts".`,
            );
          }
        }
      }
      return next;
    }
    case 'hosts':
      return { ...a, hosts: await askHosts(ctx, a) };
    case 'ssh':
      return { ...a, ...(await askSsh(ctx, a)) };
    case 'bundle':
      return { ...a, bundle: await askBundle(ctx, a) };
  }
}

const SECTION_NAMES: Record<Section, string> = {
  basics: 'mode and domain',
  certificates: 'certificates',
  calling: 'calling',
  hosts: 'hosts',
  ssh: 'SSH access',
  bundle: 'offline bundle',
};

export async function runWizard(options: WizardOptions): Promise<InitAnswers> {
  const given = new Set(
    Object.entries(options.preset ?? {})
      .filter(([, value]) => value !== undefined)
      .map(([key]) => key),
  );
  const ctx: WizardContext = {
    prompter: options.prompter,
    output: options.output,
    cwd: options.cwd,
    given: (key) => given.has(key),
  };
  let answers: PartialAnswers = { ...options.preset };
  for (const section of Object.keys(SECTION_NAMES) as Section[]) answers = await ask(section, ctx, answers);
  given.clear();

  for (;;) {
    const complete = completeAnswers(answers);
    const { blocking } = await options.review(complete);
    const choice = await options.prompter.select<ReviewChoice>({
      message: blocking ? 'Errors above stop the files from being written. What next?' : 'Write the files?',
      default: blocking ? 'edit-hosts' : 'write',
      choices: [
        {
          value: 'write',
          name: `write ${options.writes}`,
          ...(blocking && { disabled: 'fix the errors above first' }),
        },
        ...(Object.entries(SECTION_NAMES) as [Section, string][]).map(([section, name]) => ({
          value: `edit-${section}` as const,
          name: `change ${name}`,
        })),
        { value: 'quit', name: 'quit without writing anything' },
      ],
    });
    if (choice === 'write') return complete;
    if (choice === 'quit') throw interrupted('stopped before writing; nothing was written');
    answers = await ask(choice.slice('edit-'.length) as Section, ctx, answers);
  }
}
