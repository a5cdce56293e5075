import { stat } from 'node:fs/promises';
import type { Finding } from '../core/finding.js';
import type { WireSecrets } from '../secrets/generate.js';

/**
 * secrets.yaml before anything uses it: present and private. Its keys were already checked
 * when it was loaded (a file lacking keys this version needs is refused with the keys named,
 * src/secrets/file.ts), so here only what loading does not look at: that it exists at all, and
 * that no other user can read it (it holds the zauth private key and every password).
 */
export async function checkSecretsFile(path: string, secrets: WireSecrets | undefined): Promise<Finding[]> {
  if (!secrets)
    return [
      {
        severity: 'error',
        rule: 'preflight.secrets',
        message: `${path} does not exist; the databases and the charts take their passwords and keys from it`,
        fix: 'run `wire-install init` (it writes secrets.yaml beside the inventory), or pass --secrets FILE',
      },
    ];
  const mode = (await stat(path)).mode & 0o777;
  if ((mode & 0o077) === 0) return [];
  const octal = mode.toString(8).padStart(3, '0');
  return [
    {
      severity: 'error',
      rule: 'preflight.secrets-mode',
      message: `${path} can be read by other users of this machine`,
      measured: `mode ${octal}`,
      required: 'mode 600',
      fix: `chmod 600 ${path}`,
    },
  ];
}
