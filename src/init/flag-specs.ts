import { CERTIFICATE_MODES, MODES, SUDO_MODES } from './answers.js';
import { LAYOUTS } from './layouts.js';
import type { FlagCheck } from './validate.js';

/**
 * Every question of the wizard as a flag, in one table: the command declares its options from
 * it, flags.ts reads the values through it, and an answers file uses the same keys. `key` is
 * the flag in camelCase (what commander and the answers file call it).
 */

export type FlagKind = 'string' | 'number' | 'boolean' | 'enum' | 'list';

export interface FlagSpec {
  key: string;
  /** The flag with its argument, as commander declares it. */
  flags: string;
  description: string;
  kind: FlagKind;
  values?: readonly string[];
  /**
   * The name of the check in validate.ts's FLAG_CHECKS, not the function: `init --help` reads
   * this table, and the checks pull in zod (about 100 ms of start-up).
   */
  check?: FlagCheck;
}

/**
 * `wire-install init`'s flags, as the command reads them from commander (src/commands/init.ts).
 * The answers among them are checked with the answers file's (flags.ts): one reading of each
 * value, whichever way it came, and refusals that name where it came from.
 */
export interface InitFlags {
  /** -i: the inventory file to write. */
  inventory: string;
  /** --secrets; absent: secrets.yaml beside the inventory. */
  secrets?: string;
  nonInteractive: boolean;
  /** --answers FILE. */
  answers?: string;
  /** --force: replace an existing inventory. */
  force: boolean;
  /** The answers given as flags, by key (INIT_FLAGS): the text given, or true/false for --x/--no-x. */
  given: Readonly<Record<string, string | boolean>>;
  /** --host, each as given, in order. */
  hosts: readonly string[];
}

export const INIT_FLAGS: readonly FlagSpec[] = [
  {
    key: 'mode',
    flags: '--mode <mode>',
    description: 'demo (one host) or production',
    kind: 'enum',
    values: MODES,
  },
  {
    key: 'domain',
    flags: '--domain <domain>',
    description: 'the domain Wire is served under, e.g. wire.example.com',
    kind: 'string',
    check: 'domain',
  },
  {
    key: 'certificates',
    flags: '--certificates <mode>',
    description: "bring-your-own, cert-manager (Let's Encrypt) or self-signed (demos only)",
    kind: 'enum',
    values: CERTIFICATE_MODES,
  },
  {
    key: 'certChain',
    flags: '--cert-chain <file>',
    description: 'bring-your-own: PEM certificate chain (leaf first)',
    kind: 'string',
    check: 'notEmpty',
  },
  {
    key: 'certKey',
    flags: '--cert-key <file>',
    description: 'bring-your-own: PEM private key',
    kind: 'string',
    check: 'notEmpty',
  },
  {
    key: 'certEmail',
    flags: '--cert-email <email>',
    description: "cert-manager: Let's Encrypt account e-mail",
    kind: 'string',
    check: 'email',
  },
  {
    key: 'certStaging',
    flags: '--cert-staging',
    description:
      "cert-manager: use Let's Encrypt's staging endpoint (--no-cert-staging: production, the default)",
    kind: 'boolean',
  },
  {
    key: 'layout',
    flags: '--layout <name>',
    description: `a suggested host layout, filled with --addresses in order: ${LAYOUTS.map((l) => l.id).join(', ')}`,
    kind: 'enum',
    values: LAYOUTS.map((layout) => layout.id),
  },
  {
    key: 'addresses',
    flags: '--addresses <list>',
    description: "with --layout: comma-separated host addresses, in the layout's order",
    kind: 'list',
    check: 'address',
  },
  {
    key: 'sshUser',
    flags: '--ssh-user <user>',
    description: 'SSH login user (default: root)',
    kind: 'string',
    check: 'notEmpty',
  },
  {
    key: 'sshPort',
    flags: '--ssh-port <port>',
    description: 'SSH port (default: 22)',
    kind: 'number',
    check: 'port',
  },
  {
    key: 'sshIdentityFile',
    flags: '--ssh-identity-file <file>',
    description: 'SSH private key (default: the ssh-agent)',
    kind: 'string',
    check: 'notEmpty',
  },
  {
    key: 'bastion',
    flags: '--bastion <address>',
    description: 'jump host every SSH connection goes through',
    kind: 'string',
    check: 'address',
  },
  {
    key: 'bastionUser',
    flags: '--bastion-user <user>',
    description: 'login user on the bastion (default: --ssh-user)',
    kind: 'string',
    check: 'notEmpty',
  },
  {
    key: 'bastionPort',
    flags: '--bastion-port <port>',
    description: 'SSH port of the bastion (default: 22)',
    kind: 'number',
    check: 'port',
  },
  {
    key: 'bastionIdentityFile',
    flags: '--bastion-identity-file <file>',
    description: 'private key for the bastion',
    kind: 'string',
    check: 'notEmpty',
  },
  {
    key: 'sudo',
    flags: '--sudo <mode>',
    description:
      'none (log in as root), passwordless, or password (kept in secrets.yaml as ssh.becomePassword)',
    kind: 'enum',
    values: SUDO_MODES,
  },
  {
    key: 'bundle',
    flags: '--bundle <dir>',
    description: 'directory of the unpacked Wire offline bundle',
    kind: 'string',
    check: 'notEmpty',
  },
  {
    key: 'sft',
    flags: '--sft',
    description: 'conference calling with SFT (--no-sft: off, the default)',
    kind: 'boolean',
  },
  {
    key: 'sftParticipants',
    flags: '--sft-participants <n>',
    description: 'expected concurrent conference participants (Wire sizes 1 vCPU per 50)',
    kind: 'number',
    check: 'positiveInteger',
  },
  {
    key: 'coturn',
    flags: '--coturn',
    description: 'TURN server for calls through NAT (--no-coturn: off; default on)',
    kind: 'boolean',
  },
];

/** `--cert-email` for `certEmail`; `hosts` is given with --host. */
export function flagName(key: string): string {
  if (key === 'hosts') return '--host';
  const spec = INIT_FLAGS.find((s) => s.key === key);
  return spec ? (spec.flags.split(' ')[0] ?? key) : `--${key}`;
}
