import { describe, expect, it } from 'vitest';
import {
  CERTS_PROXY_DESCRIPTION,
  CREATE_TOKEN,
  joinCredentials,
  joinNeeds,
  type LiveToken,
  parseTokenList,
  UPLOAD_CERTS,
} from '../../../src/cluster/join-credentials.js';
import { production } from '../../support/inventories.js';
import { testSecrets } from '../../support/test-secrets.js';
import { fakeContext, fakeHost } from '../operations/fake-host.js';

/**
 * kubernetes.join-credentials: kubeadm's bootstrap token lives 24 h and the uploaded
 * control-plane certificates 2 h; a node added later needs them renewed, and only then.
 * The production inventory: kubenode1-3 are combined control planes and workers.
 */
const NOW = 1_800_000_000;
const HOUR = 3600;
const inventory = production((input) => {
  input.hosts.push({ name: 'kubenode4', address: '192.168.122.24', roles: ['kube-worker'] });
});
const ALL = new Set(['kubenode1', 'kubenode2', 'kubenode3', 'kubenode4']);
const without = (name: string) => new Set([...ALL].filter((node) => node !== name));
const token = (expiresIn: number, id = 'abcdef'): LiveToken => ({
  id,
  expires: NOW + expiresIn,
  description: '',
});
const certs = (expiresIn: number): LiveToken => ({
  id: 'zyxwvu',
  expires: NOW + expiresIn,
  description: CERTS_PROXY_DESCRIPTION,
});

describe('what the nodes still to join need', () => {
  it('renews nothing when every inventory node is in the cluster, even with every credential gone', () => {
    expect(joinNeeds(inventory, ALL, [], NOW, 'abcdef').changes).toEqual([]);
  });

  it('renews nothing for a worker to join while the token has more than 15 minutes left', () => {
    const needs = joinNeeds(inventory, without('kubenode4'), [token(20 * 60)], NOW, 'abcdef');
    expect(needs).toMatchObject({ workers: ['kubenode4'], renewToken: false, uploadCerts: false });
  });

  it('creates the token again for a worker when it is gone, expires within 15 minutes, or is another token', () => {
    for (const tokens of [[], [token(10 * 60)], [token(20 * HOUR, 'qwerty')]]) {
      const needs = joinNeeds(inventory, without('kubenode4'), tokens, NOW, 'abcdef');
      expect(needs).toMatchObject({ renewToken: true, uploadCerts: false });
      expect(needs.changes).toEqual([
        'create the bootstrap token abcdef again, valid 24 h (it expired or expires within 15 min; kubenode4 still to join)',
      ]);
    }
  });

  it('uploads the certificates again only for a control plane to join, when they are gone or expiring', () => {
    const valid = [token(20 * HOUR), certs(HOUR)];
    expect(joinNeeds(inventory, without('kubenode3'), valid, NOW, 'abcdef').uploadCerts).toBe(false);
    const expiring = [token(20 * HOUR), certs(5 * 60)];
    const needs = joinNeeds(inventory, without('kubenode3'), expiring, NOW, 'abcdef');
    expect(needs).toMatchObject({ controlPlanes: ['kubenode3'], renewToken: false, uploadCerts: true });
    expect(needs.changes).toEqual([
      'upload the control-plane certificates again, kept 2 h (kubenode3 still to join as control plane)',
    ]);
    expect(joinNeeds(inventory, without('kubenode4'), [token(HOUR)], NOW, 'abcdef').uploadCerts).toBe(false);
  });

  it('never counts the first control plane, which made the cluster, as a node to join', () => {
    expect(joinNeeds(inventory, without('kubenode1'), [], NOW, 'abcdef').changes).toEqual([]);
  });

  it('reads kubeadm token list as cut down on the host: id, expiry, description; no expiry is forever', () => {
    const text = `abcdef\t2027-01-15T08:00:00Z\twire-install: the other nodes join with this token\nzyxwvu\t\t${CERTS_PROXY_DESCRIPTION}\n`;
    expect(parseTokenList(text)).toEqual([
      {
        id: 'abcdef',
        expires: Date.parse('2027-01-15T08:00:00Z') / 1000,
        description: 'wire-install: the other nodes join with this token',
      },
      { id: 'zyxwvu', expires: undefined, description: CERTS_PROXY_DESCRIPTION },
    ]);
  });
});

describe('the join-credentials operation on the first control plane', () => {
  const secrets = testSecrets();
  const id = secrets.kubernetes.bootstrapToken.split('.')[0];
  const expired = `${id}\t${new Date((NOW - HOUR) * 1000).toISOString()}\tx\n`;
  const host = (initialised: boolean, nodes: string, tokens: string) =>
    fakeHost([
      [/^test -f \/etc\/kubernetes\/wire-install\/init\.done$/, { exitCode: initialised ? 0 : 1 }],
      [/get nodes/, { stdout: nodes }],
      [/^date -u \+%s$/, { stdout: `${NOW}\n` }],
      [/token list/, { stdout: tokens }],
      [/token create|token delete|upload-certs/, {}],
    ]);

  it('plans nothing before kubeadm init: init makes fresh credentials', async () => {
    const fake = host(false, '', '');
    expect(await joinCredentials(inventory, secrets).check(fakeContext(fake))).toEqual({
      changes: [],
      notes: [],
    });
    expect(fake.commands).toHaveLength(1);
  });

  it('creates the token from the 0600 config with its output discarded, and never puts a secret on a command line', async () => {
    const fake = host(true, 'kubenode1 kubenode2 kubenode3', expired);
    const outcome = await joinCredentials(inventory, secrets).apply(fakeContext(fake));
    expect(outcome.changes).toHaveLength(1);
    expect(fake.commands).toContain(CREATE_TOKEN);
    expect(fake.commands).not.toContain(UPLOAD_CERTS);
    expect(CREATE_TOKEN).toMatch(/--config \S+ >\/dev\/null$/);
    expect(UPLOAD_CERTS).toMatch(/--config \S+ >\/dev\/null$/);
    for (const command of fake.commands) {
      expect(command).not.toContain(secrets.kubernetes.bootstrapToken.split('.')[1]);
      expect(command).not.toContain(secrets.kubernetes.certificateKey);
    }
  });

  it('deletes a token that is still listed but expiring before creating it again (kubeadm refuses an existing id)', async () => {
    const expiring = `${id}\t${new Date((NOW + 5 * 60) * 1000).toISOString()}\tx\n`;
    const fake = fakeHost([
      [/^test -f/, {}],
      [/get nodes/, { stdout: 'kubenode1 kubenode2 kubenode3' }],
      [/^date -u/, { stdout: `${NOW}\n` }],
      [/token list/, { stdout: expiring }],
      [/token delete|token create/, {}],
    ]);
    await joinCredentials(inventory, secrets).apply(fakeContext(fake));
    const writes = fake.commands.filter((command) => /token (delete|create)/.test(command));
    expect(writes).toEqual([`/usr/local/bin/kubeadm token delete ${id} >/dev/null`, CREATE_TOKEN]);
  });

  it('changes nothing on a re-run once the token is valid again', async () => {
    const valid = `${id}\t${new Date((NOW + 23 * HOUR) * 1000).toISOString()}\tx\n`;
    const fake = host(true, 'kubenode1 kubenode2 kubenode3', valid);
    expect((await joinCredentials(inventory, secrets).apply(fakeContext(fake))).changes).toEqual([]);
    expect(fake.commands.filter((command) => /create|upload/.test(command))).toEqual([]);
  });
});
