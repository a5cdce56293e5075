import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { sha256Text } from '../state/fingerprint.js';
import { runOrFail } from './run.js';
import type { Operation, OperationContext } from './types.js';

/**
 * A PostgreSQL role with a password (and optionally a database it owns), made with psql as the
 * postgres user. The SQL, password included, goes to psql on stdin, never on a command line.
 * The password is checked without ever reading it back: the role's SCRAM verifier is read and
 * the password is tested against it here, so apply sets it only when it differs.
 */
export interface PostgresRoleSpec {
  name: string;
  password: string;
  /** e.g. ['LOGIN', 'REPLICATION'] */
  attributes: readonly string[];
  /** A database owned by the role, created when missing. */
  database?: string;
}

const PSQL = 'runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -At';
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** Whether `password` matches a `SCRAM-SHA-256$iterations:salt$storedKey:serverKey` verifier (RFC 5802/7677). */
export function scramMatches(verifier: string, password: string): boolean {
  const match = /^SCRAM-SHA-256\$(\d+):([^$]+)\$([^:]+):(.+)$/.exec(verifier);
  if (!match) return false;
  const [, iterations, salt, storedKey] = match;
  const salted = pbkdf2Sync(password, Buffer.from(salt ?? '', 'base64'), Number(iterations), 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const computed = createHash('sha256').update(clientKey).digest('base64');
  return computed === storedKey;
}

export function postgresRoleOperation(spec: PostgresRoleSpec): Operation {
  const look = async (context: OperationContext) => {
    const query = `SELECT coalesce(rolpassword, '') FROM pg_authid WHERE rolname = ${literal(spec.name)};
SELECT count(*) FROM pg_database WHERE datname = ${literal(spec.database ?? '')};\n`;
    const result = await runOrFail(context.host, `reading role ${spec.name}`, PSQL, { stdin: query });
    const [verifier, databases] = result.stdout.split('\n');
    const changes: string[] = [];
    const exists = result.stdout.split('\n').length > 2;
    if (!exists) changes.push(`create PostgreSQL role ${spec.name}`);
    else if (!scramMatches(verifier ?? '', spec.password))
      changes.push(`set the password of PostgreSQL role ${spec.name}`);
    if (spec.database && (exists ? databases : result.stdout.trim()) === '0')
      changes.push(`create database ${spec.database} owned by ${spec.name}`);
    return changes;
  };
  return {
    kind: 'postgresql-role',
    target: spec.name,
    inputs: { ...spec, password: sha256Text(spec.password) },
    async check(context) {
      // Before the package is installed and the cluster started (earlier in the step), there is
      // nothing to ask: everything is to be made.
      const up = await context.host.exec(`${PSQL} -c 'SELECT 1'`);
      if (up.exitCode !== 0)
        return {
          changes: [
            `create PostgreSQL role ${spec.name}`,
            ...(spec.database ? [`create database ${spec.database} owned by ${spec.name}`] : []),
          ],
          notes: [],
        };
      return { changes: await look(context), notes: [] };
    },
    async apply(context) {
      const changes = await look(context);
      if (changes.length === 0) return { changes, notes: [] };
      const attributes = spec.attributes.join(' ');
      const sql = [
        "SET password_encryption = 'scram-sha-256';",
        changes.some((change) => change.startsWith('create PostgreSQL role'))
          ? `CREATE ROLE ${ident(spec.name)} ${attributes} PASSWORD ${literal(spec.password)};`
          : `ALTER ROLE ${ident(spec.name)} ${attributes} PASSWORD ${literal(spec.password)};`,
        '',
      ].join('\n');
      await runOrFail(context.host, `setting up role ${spec.name}`, PSQL, { stdin: sql });
      if (spec.database && changes.some((change) => change.startsWith('create database')))
        await runOrFail(context.host, `creating database ${spec.database}`, PSQL, {
          stdin: `CREATE DATABASE ${ident(spec.database)} OWNER ${ident(spec.name)};\n`,
        });
      return { changes, notes: [] };
    },
  };
}
