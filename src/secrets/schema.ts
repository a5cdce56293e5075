import { z } from 'zod';
import { shownKey } from '../core/shown-value.js';
import { MLS_REMOVAL_KEY_NAMES, type MlsRemovalKeyName, mlsKeyProblem } from './mls.js';
import { zauthKeyPairProblem } from './zauth.js';

/**
 * The secrets file (secrets.yaml, mode 0600). Strict: an unknown key is an error, so a typo
 * cannot leave a secret unused. Values are checked only where a bad one would break Wire
 * (zauth format and pairing, the MLS key types); other strings may be any non-empty text, so
 * values carried over from an existing installation are accepted.
 *
 * Two schemas from the same shapes: `secretsFileSchema` (every generated key present) and
 * `secretsFileInputSchema` (generated keys may be missing: an older file that ensureSecretsFile
 * completes). apiVersion and kind are required in both.
 */

export const SECRETS_API_VERSION = 'wire-install/v1';
export const SECRETS_KIND = 'Secrets';

const value = () => z.string().min(1);

const mlsKey = (name: MlsRemovalKeyName) =>
  value().superRefine((pem, ctx) => {
    const problem = mlsKeyProblem(name, pem);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

const shapes = {
  zauth: { publicKey: value(), secretKey: value() },
  minio: {
    rootUser: value(),
    rootPassword: value(),
    cargoholdAccessKey: value(),
    cargoholdSecretKey: value(),
  },
  rabbitmq: { username: value(), password: value(), erlangCookie: value() },
  postgresql: { password: value() },
  mlsRemovalKeys: Object.fromEntries(MLS_REMOVAL_KEY_NAMES.map((name) => [name, mlsKey(name)])) as Record<
    MlsRemovalKeyName,
    ReturnType<typeof mlsKey>
  >,
  nginzBasicAuth: { username: value(), password: value() },
  elasticsearch: { password: value() },
  monitoring: { username: value(), password: value() },
  kubernetes: {
    bootstrapToken: value().regex(
      /^[a-z0-9]{6}\.[a-z0-9]{16}$/,
      'must be a kubeadm token: [a-z0-9]{6}.[a-z0-9]{16}',
    ),
    certificateKey: value().regex(
      /^[0-9a-f]{64}$/,
      'must be 64 hexadecimal characters (kubeadm certificate key)',
    ),
  },
};

function checkZauth(pair: { publicKey?: string; secretKey?: string }, ctx: z.RefinementCtx): void {
  const problem = zauthKeyPairProblem(pair);
  if (problem) ctx.addIssue({ code: 'custom', path: [problem.key], message: problem.message });
}

const header = {
  apiVersion: z.literal(SECRETS_API_VERSION),
  kind: z.literal(SECRETS_KIND),
};

/** Given by the user (never generated), so optional in both schemas. */
const userProvided = {
  ssh: z.strictObject({ becomePassword: value() }).optional(),
  smtp: z.strictObject({ password: value() }).optional(),
};

export const secretsFileSchema = z.strictObject({
  ...header,
  zauth: z.strictObject(shapes.zauth).superRefine(checkZauth),
  turnSecret: value(),
  minio: z.strictObject(shapes.minio),
  rabbitmq: z.strictObject(shapes.rabbitmq),
  postgresql: z.strictObject(shapes.postgresql),
  mlsRemovalKeys: z.strictObject(shapes.mlsRemovalKeys),
  nginzBasicAuth: z.strictObject(shapes.nginzBasicAuth),
  elasticsearch: z.strictObject(shapes.elasticsearch),
  monitoring: z.strictObject(shapes.monitoring),
  kubernetes: z.strictObject(shapes.kubernetes),
  ...userProvided,
});

export const secretsFileInputSchema = z.strictObject({
  ...header,
  zauth: z.strictObject(shapes.zauth).partial().superRefine(checkZauth).optional(),
  turnSecret: value().optional(),
  minio: z.strictObject(shapes.minio).partial().optional(),
  rabbitmq: z.strictObject(shapes.rabbitmq).partial().optional(),
  postgresql: z.strictObject(shapes.postgresql).partial().optional(),
  mlsRemovalKeys: z.strictObject(shapes.mlsRemovalKeys).partial().optional(),
  nginzBasicAuth: z.strictObject(shapes.nginzBasicAuth).partial().optional(),
  elasticsearch: z.strictObject(shapes.elasticsearch).partial().optional(),
  monitoring: z.strictObject(shapes.monitoring).partial().optional(),
  kubernetes: z.strictObject(shapes.kubernetes).partial().optional(),
  ...userProvided,
});

export type SecretsFile = z.infer<typeof secretsFileSchema>;
export type SecretsFileInput = z.infer<typeof secretsFileInputSchema>;

/**
 * A zod issue as a sentence that never contains the value found: the file holds secrets, and
 * error messages end up in terminals, CI logs and support tickets.
 */
export function describeSecretsIssue(issue: z.core.$ZodIssue, root: unknown): string {
  const found = valueAt(root, issue.path);
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map(shownKey).join(', ')} (check the spelling against docs/secrets.md)`;
    case 'invalid_type':
      if (found === undefined) return `required key is missing (expected ${issue.expected})`;
      return `expected ${issue.expected}, found ${kindOf(found)}${typeof found === 'number' || typeof found === 'boolean' ? ' (put the value in quotes)' : ''}`;
    case 'invalid_value':
      // Only apiVersion and kind are literals; their values are not secret, but stay uniform.
      if (found === undefined)
        return `required key is missing (must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')})`;
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'too_small':
      return 'must not be empty';
    case 'custom':
      return issue.message;
    case 'invalid_format':
      // The rule (our own message: "must be a kubeadm token: [a-z0-9]{6}.[a-z0-9]{16}"), never the value.
      return issue.message;
    default:
      return `invalid value (${issue.code})`;
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function kindOf(found: unknown): string {
  if (found === null) return 'an empty value';
  if (Array.isArray(found)) return 'a list';
  if (typeof found === 'object') return 'a mapping';
  if (typeof found === 'number') return 'a number';
  if (typeof found === 'boolean') return 'true/false';
  return typeof found;
}

export function formatSecretsPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((key, index) =>
      typeof key === 'number' ? `[${key}]` : index === 0 ? String(key) : `.${String(key)}`,
    )
    .join('');
}
