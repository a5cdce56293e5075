import {
  API_VERSION,
  type HostInput,
  type InventoryInput,
  KIND,
  type SshSettingsInput,
} from '../inventory/schema.js';
import { demoRoles, type HostAnswer, type InitAnswers } from './answers.js';

/**
 * InitAnswers -> InventoryInput, pure. Only keys the user set or that matter are written, in a
 * readable order (apiVersion, kind, mode, domain, certificates, ssh, hosts, kubernetes, bundle,
 * wire); defaults stay implicit so the file says what was chosen, not what the tool assumes.
 */

export interface ToInventoryOptions {
  /**
   * Rewrites a file path typed relative to where init runs into one relative to the
   * inventory's directory (relative paths in an inventory resolve against it). Default: as typed.
   */
  rebasePath?: (path: string) => string;
}

function certificates(
  answers: InitAnswers,
  rebase: (path: string) => string,
): InventoryInput['certificates'] {
  switch (answers.certificates) {
    case 'bring-your-own':
      return {
        mode: 'bring-your-own',
        certChain: rebase(answers.certChain ?? ''),
        key: rebase(answers.certKey ?? ''),
      };
    case 'cert-manager':
      return { mode: 'cert-manager', email: answers.certEmail ?? '', staging: answers.certStaging ?? false };
    case 'self-signed':
      return { mode: 'self-signed' };
  }
}

function ssh(answers: InitAnswers): SshSettingsInput | undefined {
  const result: SshSettingsInput = {};
  if (answers.sshUser !== undefined) result.user = answers.sshUser;
  if (answers.sshPort !== undefined) result.port = answers.sshPort;
  if (answers.sshIdentityFile !== undefined) result.identityFile = answers.sshIdentityFile;
  if (answers.bastion !== undefined) {
    result.bastion = { address: answers.bastion };
    if (answers.bastionUser !== undefined) result.bastion.user = answers.bastionUser;
    if (answers.bastionPort !== undefined) result.bastion.port = answers.bastionPort;
    if (answers.bastionIdentityFile !== undefined) result.bastion.identityFile = answers.bastionIdentityFile;
  }
  switch (answers.sudo) {
    case 'none':
      result.become = { enabled: false };
      break;
    case 'passwordless':
      result.become = { enabled: true, password: false };
      break;
    case 'password':
      result.become = { enabled: true, password: true };
      break;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

function host(answer: HostAnswer, answers: InitAnswers): HostInput {
  const resources: NonNullable<HostInput['resources']> = {};
  if (answer.cpus !== undefined) resources.cpus = answer.cpus;
  if (answer.memoryGiB !== undefined) resources.memoryGiB = answer.memoryGiB;
  if (answer.diskGiB !== undefined) resources.diskGiB = answer.diskGiB;
  return {
    name: answer.name,
    address: answer.address,
    ...(answer.privateAddress !== undefined && { privateAddress: answer.privateAddress }),
    ...(answer.externalIp !== undefined && { externalIp: answer.externalIp }),
    roles: answers.mode === 'demo' ? demoRoles(answers) : [...new Set(answer.roles)],
    ...(Object.keys(resources).length > 0 && { resources }),
  };
}

function calling(answers: InitAnswers): NonNullable<NonNullable<InventoryInput['wire']>['calling']> {
  return {
    sft: answers.sft
      ? {
          enabled: true,
          ...(answers.sftParticipants !== undefined && { concurrentParticipants: answers.sftParticipants }),
        }
      : { enabled: false },
    coturn: { enabled: answers.coturn },
  };
}

export function toInventoryInput(answers: InitAnswers, options: ToInventoryOptions = {}): InventoryInput {
  const rebase = options.rebasePath ?? ((path: string) => path);
  const sshSettings = ssh(answers);
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    mode: answers.mode,
    domain: answers.domain,
    certificates: certificates(answers, rebase),
    ...(sshSettings && { ssh: sshSettings }),
    hosts: answers.hosts.map((answer) => host(answer, answers)),
    ...(answers.bundle !== undefined && { bundle: { path: rebase(answers.bundle) } }),
    wire: { calling: calling(answers) },
  };
}
