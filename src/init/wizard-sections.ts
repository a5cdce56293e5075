import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve } from 'node:path';
import type { Output } from '../core/output.js';
import {
  CERTIFICATE_MODES,
  type CertificateMode,
  DEFAULT_COTURN,
  DEFAULT_SFT,
  type InitAnswers,
  type Mode,
  type PartialAnswers,
} from './answers.js';
import type { Prompter } from './prompter.js';
import { checkDomain, checkEmail, checkNotEmpty, checkPositiveInteger } from './validate.js';

/**
 * The wizard's sections other than hosts: each asks its questions with the current answers as
 * defaults and returns the answers it owns. On the first pass, answers given by flags are not
 * asked again (`given`); sections reopened from the review ask everything.
 */

export interface WizardContext {
  prompter: Prompter;
  output: Output;
  /** Where init runs: typed paths are relative to it. */
  cwd: string;
  given(key: keyof InitAnswers): boolean;
}

/** A typed path as a file on disk: `~/` is the home directory, the rest is relative to cwd. */
export function filePath(cwd: string, path: string): string {
  return resolve(cwd, path.startsWith('~/') ? `${homedir()}${path.slice(1)}` : path);
}

function existingFile(cwd: string, value: string): true | string {
  const empty = checkNotEmpty(value);
  if (empty !== true) return empty;
  return existsSync(filePath(cwd, value)) ? true : `no file at ${filePath(cwd, value)}`;
}

/** An empty answer to an optional question is no answer. */
export const optional = (value: string): string | undefined => (value === '' ? undefined : value);

export async function askMode(ctx: WizardContext, a: PartialAnswers): Promise<Mode> {
  if (ctx.given('mode') && a.mode) return a.mode;
  return ctx.prompter.select<Mode>({
    message: 'What are you installing?',
    default: a.mode ?? 'demo',
    choices: [
      { value: 'demo', name: 'demo: everything on one host, for trying Wire out (about 15-50 users)' },
      { value: 'production', name: 'production: Kubernetes nodes plus separate database hosts' },
    ],
  });
}

export async function askDomain(ctx: WizardContext, a: PartialAnswers): Promise<string> {
  if (ctx.given('domain') && a.domain) return a.domain;
  return ctx.prompter.input({
    message: 'Domain Wire is served under (names like webapp.<domain> hang off it):',
    default: a.domain,
    validate: checkDomain,
  });
}

const CERTIFICATE_CHOICES: Record<CertificateMode, string> = {
  'bring-your-own': 'bring your own: a wildcard or SAN certificate and its key (PEM files)',
  'cert-manager': "cert-manager: Let's Encrypt (port 80 reachable from the internet)",
  'self-signed': 'self-signed: a private CA made by wire-install (demos only, clients will not trust it)',
};

type CertificateAnswers = Pick<
  PartialAnswers,
  'certificates' | 'certChain' | 'certKey' | 'certEmail' | 'certStaging'
>;

/** Every detail key, so answers of a mode left behind do not linger. */
const NO_CERTIFICATE_DETAILS: CertificateAnswers = {
  certChain: undefined,
  certKey: undefined,
  certEmail: undefined,
  certStaging: undefined,
};

export async function askCertificates(ctx: WizardContext, a: PartialAnswers): Promise<CertificateAnswers> {
  const { prompter } = ctx;
  const mode: CertificateMode =
    ctx.given('certificates') && a.certificates
      ? a.certificates
      : await prompter.select<CertificateMode>({
          message: 'TLS certificates:',
          default: a.certificates ?? (a.mode === 'production' ? 'cert-manager' : 'self-signed'),
          choices: CERTIFICATE_MODES.map((value) => ({ value, name: CERTIFICATE_CHOICES[value] })),
        });
  if (mode === 'bring-your-own') {
    const file = (key: 'certChain' | 'certKey', message: string) =>
      ctx.given(key) && a[key]
        ? Promise.resolve(a[key] as string)
        : prompter.input({ message, default: a[key], validate: (v) => existingFile(ctx.cwd, v) });
    const certChain = await file('certChain', 'Certificate chain file (PEM, leaf first):');
    const certKey = await file('certKey', 'Private key file (PEM):');
    return { ...NO_CERTIFICATE_DETAILS, certificates: mode, certChain, certKey };
  }
  if (mode === 'cert-manager') {
    const certEmail =
      ctx.given('certEmail') && a.certEmail
        ? a.certEmail
        : await prompter.input({
            message: "E-mail for the Let's Encrypt account:",
            default: a.certEmail ?? (a.domain ? `certmaster@${a.domain}` : undefined),
            validate: checkEmail,
          });
    const certStaging =
      ctx.given('certStaging') && a.certStaging !== undefined
        ? a.certStaging
        : await prompter.confirm({
            message: "Use Let's Encrypt's staging endpoint (untrusted certificates, for a first try)?",
            default: a.certStaging ?? false,
          });
    return { ...NO_CERTIFICATE_DETAILS, certificates: mode, certEmail, certStaging };
  }
  return { ...NO_CERTIFICATE_DETAILS, certificates: mode };
}

export async function askCalling(
  ctx: WizardContext,
  a: PartialAnswers,
): Promise<Pick<PartialAnswers, 'sft' | 'sftParticipants' | 'coturn'>> {
  const { prompter } = ctx;
  const coturn =
    ctx.given('coturn') && a.coturn !== undefined
      ? a.coturn
      : await prompter.confirm({
          message: 'Run a TURN server (coturn), so 1:1 calls work through NAT?',
          default: a.coturn ?? DEFAULT_COTURN,
        });
  const sft =
    ctx.given('sft') && a.sft !== undefined
      ? a.sft
      : await prompter.confirm({
          message: 'Enable conference calling (SFT)?',
          default: a.sft ?? DEFAULT_SFT,
        });
  if (!sft) return { sft, coturn, sftParticipants: undefined };
  const sftParticipants =
    ctx.given('sftParticipants') && a.sftParticipants !== undefined
      ? a.sftParticipants
      : await prompter.number({
          message: 'Expected concurrent conference participants (Wire sizes 1 vCPU per 50):',
          default: a.sftParticipants ?? 50,
          validate: checkPositiveInteger,
        });
  return { sft, coturn, sftParticipants };
}
