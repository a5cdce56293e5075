import { isIP } from 'node:net';
import { CALLING_ROLES, ROLE_DESCRIPTIONS, ROLES, type Role } from '../inventory/roles.js';
import { DEFAULT_COTURN, DEFAULT_SFT, demoRoles, type HostAnswer, type PartialAnswers } from './answers.js';
import { type LayoutSlot, layoutsFor, type Resources } from './layouts.js';
import type { Choice } from './prompter.js';
import { resourcesText } from './summary.js';
import { checkHostAddress, checkHostName, checkIp, checkPositive, checkPositiveInteger } from './validate.js';
import type { WizardContext } from './wizard-sections.js';

/**
 * The hosts section: in demo mode the one host; in production a suggested layout (addresses
 * asked slot by slot) or hosts one by one, then a menu to add, edit, remove and list them.
 * Every name and address is checked against the hosts already entered as it is typed.
 */

interface HostQuestions {
  askName: boolean;
  askRoles: boolean;
  askResources: boolean;
  suggested?: Resources;
}

/** Asks for one host; `start` holds its current values, `others` the hosts already entered. */
async function askHost(
  ctx: WizardContext,
  start: HostAnswer,
  others: readonly HostAnswer[],
  questions: HostQuestions,
): Promise<HostAnswer> {
  const { prompter } = ctx;
  const label = questions.askName ? 'the host' : start.name;
  const name = questions.askName
    ? await prompter.input({
        message: 'Host name (lower case, as the host will be called):',
        default: start.name || undefined,
        validate: (v) => checkHostName(v, others),
      })
    : start.name;
  const address = await prompter.input({
    message: `Address of ${questions.askName ? name : label} for SSH (IP or DNS name):`,
    default: start.address || undefined,
    validate: (v) => checkHostAddress(v, others),
  });
  const host: HostAnswer = { name, address, roles: [...start.roles] };
  if (!isIP(address)) {
    host.privateAddress = await prompter.input({
      message: `Static private IP of ${name} (for traffic between hosts):`,
      default: start.privateAddress,
      validate: (v) => checkHostAddress(v, [...others, { ...host, address: '' }], checkIp),
    });
  }
  if (questions.askRoles) {
    host.roles = await prompter.checkbox<Role>({
      message: `Roles of ${name}:`,
      choices: ROLES.map((role) => ({
        value: role,
        name: `${role}: ${ROLE_DESCRIPTIONS[role]}`,
        checked: host.roles.includes(role),
      })),
      validate: (picked) => (picked.length > 0 ? true : 'choose at least one role'),
    });
  }
  if (host.roles.some((role) => (CALLING_ROLES as readonly string[]).includes(role))) {
    const externalIp = await prompter.input({
      message: `Public IP clients reach ${name} on for calls (empty: no NAT, clients reach ${address}):`,
      default: start.externalIp,
      validate: (v) => (v === '' ? true : checkIp(v)),
    });
    if (externalIp !== '') host.externalIp = externalIp;
  }
  if (questions.askResources) {
    const suggested = questions.suggested;
    host.cpus = await prompter.number({
      message: `CPU cores of ${name}:`,
      default: start.cpus ?? suggested?.cpus,
      required: false,
      validate: checkPositiveInteger,
    });
    host.memoryGiB = await prompter.number({
      message: `Memory of ${name}, GiB:`,
      default: start.memoryGiB ?? suggested?.memoryGiB,
      required: false,
      validate: checkPositive,
    });
    host.diskGiB = await prompter.number({
      message: `Disk of ${name}, GiB:`,
      default: start.diskGiB ?? suggested?.diskGiB,
      required: false,
      validate: checkPositive,
    });
  }
  return host;
}

function describeHost(host: HostAnswer): string {
  const size = resourcesText(host);
  return `${host.name} ${host.address} [${host.roles.join(', ')}]${size ? ` ${size}` : ''}`;
}

function showHosts(ctx: WizardContext, hosts: readonly HostAnswer[]): void {
  ctx.output.line(hosts.length === 0 ? 'No hosts yet.' : `Hosts (${hosts.length}):`);
  for (const host of hosts) ctx.output.line(`  ${describeHost(host)}`);
}

async function pickHost(ctx: WizardContext, hosts: readonly HostAnswer[], message: string): Promise<number> {
  return ctx.prompter.select<number>({
    message,
    choices: hosts.map((host, index) => ({ value: index, name: describeHost(host) })),
  });
}

async function fromLayout(ctx: WizardContext, slots: LayoutSlot[]): Promise<HostAnswer[]> {
  const askResources = await ctx.prompter.confirm({
    message: "Enter each host's CPU cores, memory and disk now (checked against Wire's sizing)?",
    default: true,
  });
  const hosts: HostAnswer[] = [];
  for (const slot of slots) {
    ctx.output.line(`${slot.name}: ${slot.roles.join(', ')}`);
    const start = { name: slot.name, address: '', roles: slot.roles };
    hosts.push(
      await askHost(ctx, start, hosts, {
        askName: false,
        askRoles: false,
        askResources,
        suggested: slot.suggested,
      }),
    );
  }
  return hosts;
}

type MenuAction = 'done' | 'add' | 'edit' | 'remove' | 'list';

export async function askHosts(ctx: WizardContext, a: PartialAnswers): Promise<HostAnswer[]> {
  if (ctx.given('hosts') && a.hosts && a.hosts.length > 0) return a.hosts;
  const calling = {
    sft: a.sft ?? DEFAULT_SFT,
    coturn: a.coturn ?? DEFAULT_COTURN,
    sftParticipants: a.sftParticipants,
  };
  if (a.mode !== 'production') {
    const [slot] = layoutsFor('demo')[0]?.slots(calling) ?? [];
    const start = a.hosts?.[0] ?? { name: slot?.name ?? 'wire', address: '', roles: [] };
    const host = await askHost(ctx, { ...start, roles: demoRoles(calling) }, [], {
      askName: true,
      askRoles: false,
      askResources: true,
      suggested: slot?.suggested,
    });
    return [host];
  }
  let hosts = [...(a.hosts ?? [])];
  if (hosts.length === 0) {
    const choices: Choice<string>[] = [
      ...layoutsFor('production').map((layout) => ({
        value: layout.id,
        name: `${layout.id}: ${layout.title}`,
      })),
      { value: 'custom', name: 'my own: add the hosts one by one' },
    ];
    const choice = await ctx.prompter.select({ message: 'Host layout:', choices, default: 'production' });
    const layout = layoutsFor('production').find((l) => l.id === choice);
    if (layout) hosts = await fromLayout(ctx, layout.slots(calling));
  }
  const questions = { askName: true, askRoles: true, askResources: true };
  for (;;) {
    showHosts(ctx, hosts);
    const action = await ctx.prompter.select<MenuAction>({
      message: 'Hosts:',
      default: hosts.length > 0 ? 'done' : 'add',
      choices: [
        { value: 'done', name: 'done', ...(hosts.length === 0 && { disabled: 'add a host first' }) },
        { value: 'add', name: 'add a host' },
        { value: 'edit', name: 'edit a host', ...(hosts.length === 0 && { disabled: 'no hosts yet' }) },
        { value: 'remove', name: 'remove a host', ...(hosts.length === 0 && { disabled: 'no hosts yet' }) },
        { value: 'list', name: 'list the hosts' },
      ],
    });
    if (action === 'done') return hosts;
    if (action === 'add')
      hosts.push(await askHost(ctx, { name: '', address: '', roles: [] }, hosts, questions));
    if (action === 'edit') {
      const index = await pickHost(ctx, hosts, 'Edit which host?');
      const others = hosts.filter((_, i) => i !== index);
      const current = hosts[index];
      if (current) hosts[index] = await askHost(ctx, current, others, questions);
    }
    if (action === 'remove') {
      const index = await pickHost(ctx, hosts, 'Remove which host?');
      hosts = hosts.filter((_, i) => i !== index);
    }
  }
}
