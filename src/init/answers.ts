import type { Role } from '../inventory/roles.js';

/**
 * What `init` collects, whether from the wizard, from flags or from an answers file. It is
 * deliberately flat and keyed like the flags (`--cert-email` is `certEmail`), so an answers
 * file has exactly the flags' fields and every path into the inventory goes through one
 * function (to-inventory.ts).
 */

export const MODES = ['demo', 'production'] as const;
export type Mode = (typeof MODES)[number];

export const CERTIFICATE_MODES = ['bring-your-own', 'cert-manager', 'self-signed'] as const;
export type CertificateMode = (typeof CERTIFICATE_MODES)[number];

/** How commands become root: `none` (the login user is root), `passwordless` sudo, or sudo with a password. */
export const SUDO_MODES = ['none', 'passwordless', 'password'] as const;
export type SudoMode = (typeof SUDO_MODES)[number];

export interface HostAnswer {
  name: string;
  address: string;
  privateAddress?: string;
  externalIp?: string;
  /** In demo mode the roles follow from the mode and calling answers, so this may be empty. */
  roles: Role[];
  cpus?: number;
  memoryGiB?: number;
  diskGiB?: number;
}

export interface InitAnswers {
  mode: Mode;
  domain: string;
  certificates: CertificateMode;
  /** bring-your-own: PEM files, as typed (relative to the directory init runs in). */
  certChain?: string;
  certKey?: string;
  /** cert-manager: the Let's Encrypt account e-mail and whether to use the staging endpoint. */
  certEmail?: string;
  certStaging?: boolean;
  hosts: HostAnswer[];
  sshUser?: string;
  sshPort?: number;
  sshIdentityFile?: string;
  bastion?: string;
  bastionUser?: string;
  bastionPort?: number;
  bastionIdentityFile?: string;
  sudo?: SudoMode;
  bundle?: string;
  sft: boolean;
  sftParticipants?: number;
  coturn: boolean;
}

/** Answers given ahead of the wizard (flags, answers file); anything may be missing. */
export type PartialAnswers = Partial<InitAnswers>;

/** The login user when none is given (the inventory's own default). */
export const DEFAULT_SSH_USER = 'root';

/** Calling defaults when not asked: 1:1 calls behind NAT need TURN, conference calling is opt-in. */
export const DEFAULT_COTURN = true;
export const DEFAULT_SFT = false;

/** The roles of the single demo host: Kubernetes plus whatever calling was chosen. */
export function demoRoles(answers: Pick<InitAnswers, 'sft' | 'coturn'>): Role[] {
  const roles: Role[] = ['kube-control-plane', 'kube-worker'];
  if (answers.sft) roles.push('sftd');
  if (answers.coturn) roles.push('coturn');
  return roles;
}

/** The sudo answer to use when none was given: none for root, passwordless sudo for anyone else. */
export function defaultSudo(user: string | undefined): SudoMode {
  return (user ?? DEFAULT_SSH_USER) === 'root' ? 'none' : 'passwordless';
}
