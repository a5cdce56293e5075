import { existsSync, statSync } from 'node:fs';
import { DEFAULT_SSH_USER, type PartialAnswers, type SudoMode } from './answers.js';
import { checkAddressFormat, checkNotEmpty, checkPort } from './validate.js';
import { filePath, optional, type WizardContext } from './wizard-sections.js';

/**
 * The SSH and bundle sections of the wizard: how wire-install reaches the hosts (user, port,
 * key, bastion) and becomes root there, and where the offline bundle is.
 */

type SshAnswers = Pick<
  PartialAnswers,
  | 'sshUser'
  | 'sshPort'
  | 'sshIdentityFile'
  | 'bastion'
  | 'bastionUser'
  | 'bastionPort'
  | 'bastionIdentityFile'
  | 'sudo'
>;

export async function askSsh(ctx: WizardContext, a: PartialAnswers): Promise<SshAnswers> {
  const { prompter } = ctx;
  const text = async (key: keyof SshAnswers, message: string, fallback?: string, required = false) =>
    ctx.given(key) && a[key] !== undefined
      ? (a[key] as string)
      : optional(
          await prompter.input({
            message,
            default: (a[key] as string | undefined) ?? fallback,
            validate: required ? checkNotEmpty : undefined,
          }),
        );
  const port = async (key: 'sshPort' | 'bastionPort', message: string) =>
    ctx.given(key) && a[key] !== undefined
      ? a[key]
      : prompter.number({ message, default: a[key] ?? 22, validate: checkPort });

  const sshUser = await text('sshUser', 'SSH login user on the hosts:', DEFAULT_SSH_USER, true);
  const sshPort = await port('sshPort', 'SSH port:');
  const sshIdentityFile = await text('sshIdentityFile', 'SSH private key file (empty: use the ssh-agent):');
  const result: SshAnswers = {
    sshUser,
    sshPort,
    sshIdentityFile,
    bastion: undefined,
    bastionUser: undefined,
    bastionPort: undefined,
    bastionIdentityFile: undefined,
  };
  const behindBastion =
    (ctx.given('bastion') && a.bastion !== undefined) ||
    (await prompter.confirm({
      message: 'Do the hosts sit behind a bastion (SSH jump host)?',
      default: a.bastion !== undefined,
    }));
  if (behindBastion) {
    result.bastion =
      ctx.given('bastion') && a.bastion
        ? a.bastion
        : await prompter.input({
            message: 'Bastion address:',
            default: a.bastion,
            validate: checkAddressFormat,
          });
    result.bastionUser = await text('bastionUser', 'Login user on the bastion:', sshUser, true);
    result.bastionPort = await port('bastionPort', 'SSH port of the bastion:');
    result.bastionIdentityFile = await text(
      'bastionIdentityFile',
      'Private key for the bastion (empty: the same as the hosts):',
    );
  }
  if (sshUser === 'root') return { ...result, sudo: undefined };
  result.sudo =
    ctx.given('sudo') && a.sudo
      ? a.sudo
      : await prompter.select<SudoMode>({
          message: `How does ${sshUser} run commands as root?`,
          default: a.sudo ?? 'passwordless',
          choices: [
            { value: 'passwordless', name: 'sudo without a password' },
            {
              value: 'password',
              name: 'sudo with a password (you add it to secrets.yaml as ssh.becomePassword)',
            },
            { value: 'none', name: `no sudo: ${sshUser} already has the rights it needs` },
          ],
        });
  return result;
}

export async function askBundle(ctx: WizardContext, a: PartialAnswers): Promise<string | undefined> {
  if (ctx.given('bundle') && a.bundle) return a.bundle;
  const answer = await ctx.prompter.input({
    message: 'Directory of the unpacked Wire offline bundle (empty: set it later):',
    default: a.bundle,
    validate: (value) => {
      if (value === '') return true;
      const path = filePath(ctx.cwd, value);
      return existsSync(path) && statSync(path).isDirectory() ? true : `no directory at ${path}`;
    },
  });
  return optional(answer);
}
