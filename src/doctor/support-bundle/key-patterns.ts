import { REDACTED } from '../../secrets/redact.js';

/**
 * What looks like a key, whoever's it is: the support bundle carries journals, pod logs and
 * `kubectl describe` output that may hold credentials wire-install never saw (a database's own
 * admin password, a service account token), so besides secrets.yaml's values (redactor.ts)
 * these shapes are replaced too. Each pattern keeps what names the value (`password=`,
 * `Bearer `, the PEM armour) and replaces only the value, so a reader still sees what was there.
 */
interface KeyPattern {
  name: string;
  pattern: RegExp;
  /** The replacement for one match (groups as String.replace gives them). */
  replace: (match: string, ...groups: string[]) => string;
}

/**
 * Names whose value is a credential: the name ENDS with one of these (`rootPassword`,
 * `cargoholdSecretKey`, `--token`), so `secretName: brig` or `tokenExpirationSeconds` in
 * `kubectl describe` stay readable.
 */
const SECRET_NAME =
  '[A-Za-z0-9_.-]*(?:password|passwd|passphrase|secret|secret[_-]?key|token|api[_-]?key|access[_-]?key|private[_-]?key|certificate[_-]?key|credentials?|cookie)';

/** An unquoted value ends at whitespace, a quote, or what separates fields in logs, URLs and JSON. */
const UNQUOTED = `[^\\s"',;&<>()\\[\\]{}]+`;

const PATTERNS: readonly KeyPattern[] = [
  {
    // A whole private key, or its start when a log line cut it off (no END line).
    name: 'pem-private-key',
    pattern: /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g,
    replace: (match, kind = '') =>
      // A key whose lines secrets.yaml's values already replaced stays as it is (counted once).
      /^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?:\s|\\n|\[redacted\])*(?:-----END [A-Z0-9 ]*PRIVATE KEY-----)?$/.test(
        match,
      )
        ? match
        : `-----BEGIN ${kind}PRIVATE KEY-----${REDACTED}-----END ${kind}PRIVATE KEY-----`,
  },
  {
    // password=..., password: ..., "password":"...", secret_key = '...', --token=...
    name: 'named-value',
    pattern: new RegExp(
      `(\\b${SECRET_NAME}["']?[ \\t]*[:=][ \\t]*)(?:"([^"\\n]*)"|'([^'\\n]*)'|(${UNQUOTED}))`,
      'gi',
    ),
    replace: (match, prefix = '', double, single, bare) => {
      const value = double ?? single ?? bare ?? '';
      if (value === '' || value === REDACTED) return match;
      if (double !== undefined) return `${prefix}"${REDACTED}"`;
      if (single !== undefined) return `${prefix}'${REDACTED}'`;
      return `${prefix}${REDACTED}`;
    },
  },
  {
    // A command line's flag with its value after a space: kubeadm join --token abcdef.0123...,
    // --certificate-key ... (kubelet and kubeadm journals).
    name: 'flag-value',
    pattern: new RegExp(`(--${SECRET_NAME} +)(${UNQUOTED})`, 'gi'),
    replace: (match, prefix = '', value = '') =>
      value === REDACTED || value.startsWith('-') ? match : `${prefix}${REDACTED}`,
  },
  {
    // An HTTP credential: Bearer tokens carry a digit (so "Bearer authentication" stays).
    name: 'bearer-token',
    pattern: /\b(Bearer\s+)(?=[A-Za-z0-9\-._~+/]*\d)[A-Za-z0-9\-._~+/]{8,}=*/g,
    replace: (_match, prefix = '') => `${prefix}${REDACTED}`,
  },
  {
    name: 'basic-authorization',
    pattern: /\b(Authorization["']?\s*[:=]\s*["']?Basic\s+)[A-Za-z0-9+/]{4,}=*/gi,
    replace: (_match, prefix = '') => `${prefix}${REDACTED}`,
  },
  {
    // A JSON web token (Kubernetes service account tokens): three base64url parts, two JSON.
    name: 'jwt',
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g,
    replace: () => REDACTED,
  },
  {
    // An AWS-style access key id (MinIO and S3 clients log them).
    name: 'aws-access-key-id',
    pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
    replace: () => REDACTED,
  },
  {
    // An AWS-style secret access key: 40 characters of base64 with upper, lower case and a
    // digit (a SHA-1 in hex is lower case only and stays).
    name: 'aws-secret-key',
    pattern: /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g,
    replace: (match) => (/[A-Z]/.test(match) && /[a-z]/.test(match) && /\d/.test(match) ? REDACTED : match),
  },
];

/** `text` with everything that looks like a key replaced by `[redacted]`, and how many were. */
export function redactKeyLike(text: string): { text: string; count: number } {
  let count = 0;
  let out = text;
  for (const { pattern, replace } of PATTERNS) {
    out = out.replace(pattern, (match: string, ...rest: unknown[]) => {
      const groups = rest.slice(0, -2).map((group) => group as string);
      const replaced = replace(match, ...groups);
      if (replaced !== match) count += 1;
      return replaced;
    });
  }
  return { text: out, count };
}
