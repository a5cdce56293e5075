import { inputError } from '../core/errors.js';
import {
  DEFAULT_COTURN,
  DEFAULT_SFT,
  type HostAnswer,
  type InitAnswers,
  type Mode,
  type PartialAnswers,
} from './answers.js';
import { flagName } from './flag-specs.js';
import { HOST_SPEC_EXAMPLE } from './host-spec.js';

/**
 * The answers --non-interactive needs, all present: a missing one is an input error (exit 2)
 * that names its flag (and its key in an answers file). The wizard ends here too, so what it
 * returns passes the same test.
 */

function missing(key: string, hint: string): never {
  throw inputError({
    what: `missing ${flagName(key)}: ${hint}`,
    next: `pass ${flagName(key)} (or \`${key}:\` in the --answers file); \`wire-install init --help\` lists every flag`,
  });
}

function needs(answers: PartialAnswers, key: keyof InitAnswers, on: keyof InitAnswers): void {
  if (answers[key] !== undefined && answers[on] === undefined) {
    throw inputError({ what: `${flagName(key)} needs ${flagName(on)}` });
  }
}

/** The answers with nothing required missing, for --non-interactive. */
export function completeAnswers(preset: PartialAnswers): InitAnswers {
  const { mode, domain, certificates } = preset;
  if (!mode) missing('mode', 'demo (one host) or production');
  if (!domain) missing('domain', 'the domain Wire is served under, e.g. wire.example.com');
  if (!certificates) missing('certificates', 'bring-your-own, cert-manager or self-signed');
  if (certificates === 'bring-your-own') {
    if (!preset.certChain) missing('certChain', 'the PEM certificate chain of bring-your-own certificates');
    if (!preset.certKey) missing('certKey', 'the PEM private key of bring-your-own certificates');
  }
  if (certificates === 'cert-manager' && !preset.certEmail)
    missing('certEmail', "the Let's Encrypt account e-mail");
  for (const key of ['bastionUser', 'bastionPort', 'bastionIdentityFile'] as const)
    needs(preset, key, 'bastion');
  const hosts = preset.hosts ?? [];
  if (hosts.length === 0)
    missing('hosts', `at least one host, e.g. --host ${HOST_SPEC_EXAMPLE} (or --layout with --addresses)`);
  checkHostsForMode(mode, hosts);
  const sft = preset.sft ?? DEFAULT_SFT;
  if (!sft && preset.sftParticipants !== undefined)
    throw inputError({ what: '--sft-participants needs --sft' });
  return { ...preset, mode, domain, certificates, hosts, sft, coturn: preset.coturn ?? DEFAULT_COTURN };
}

function checkHostsForMode(mode: Mode, hosts: readonly HostAnswer[]): void {
  if (mode === 'demo' && hosts.length !== 1) {
    throw inputError({
      what: `demo mode runs on exactly one host, but ${hosts.length} were given`,
      next: 'pass one --host, or --mode production for more hosts',
    });
  }
  const roleless = hosts.find((host) => host.roles.length === 0);
  if (mode === 'production' && roleless) {
    throw inputError({
      what: `--host ${roleless.name}: roles= is missing; production hosts need their roles`,
      next: `e.g. --host ${HOST_SPEC_EXAMPLE}, or use --layout with --addresses`,
    });
  }
}
