import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { isWireInstallError } from '../../../src/core/errors.js';
import type { Inventory } from '../../../src/inventory/defaults.js';
import { type ChartDefinition, chartsFor } from '../../../src/wire/charts.js';
import {
  keepAppliedValues,
  lastAppliedTree,
  lastAppliedValuesPath,
} from '../../../src/workloads/values/last-applied.js';
import { at } from '../../../src/workloads/values/tree.js';
import { type ChartFilesOptions, chartFiles } from '../../../src/workloads/values.js';
import { demo, production } from '../../support/inventories.js';
import { TEST_CERTIFICATE, testSecrets } from '../../support/test-secrets.js';
import { pinnedBundle } from '../../support/upstream-charts.js';

/** What the inventory decides in the rendered files, one behaviour at a time (the goldens show the whole files). */
/** Wire's real example values (the pinned wire-develop set, wire-server-deploy v5.32's values/). */
const BUNDLE = pinnedBundle();

function chart(inventory: Inventory, release: string): ChartDefinition {
  const found = chartsFor(inventory.mode).find((candidate) => candidate.release === release);
  if (!found) throw new Error(`${release} is not a ${inventory.mode} chart`);
  return found;
}

function render(inventory: Inventory, release: string, options: ChartFilesOptions = {}, bundle = BUNDLE) {
  const files = chartFiles(inventory, testSecrets(), bundle, chart(inventory, release), options);
  return {
    values: yaml.load(files.values) ?? {},
    secrets: files.secrets ? yaml.load(files.secrets) : undefined,
  };
}

describe('values the inventory determines', () => {
  it('the *-external charts point at the database hosts by private address; postgresql: first host read-write', () => {
    const inventory = production((input) => {
      const data = input.hosts.find((host) => host.name === 'datanode2');
      if (data) data.privateAddress = '10.9.0.32';
    });
    expect(at(render(inventory, 'cassandra-external').values, 'IPs')).toEqual([
      '192.168.122.31',
      '10.9.0.32',
      '192.168.122.33',
    ]);
    expect(render(inventory, 'postgresql-external').values).toEqual({
      RWIPs: ['192.168.122.31'],
      ROIPs: ['10.9.0.32', '192.168.122.33'],
    });
  });

  it('the domain reaches URLs, the CSP of the web apps and the ingress names', () => {
    const inventory = production((input) => (input.domain = 'chat.corp.test'));
    const wire = render(inventory, 'wire-server').values;
    expect(at(wire, 'brig.config.externalUrls.nginz')).toBe('https://nginz-https.chat.corp.test');
    expect(at(wire, 'brig.config.emailSMS.user.activationUrl')).toBe(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: brig's own placeholders, kept from the example
      'https://account.chat.corp.test/verify/?key=${key}&code=${code}',
    );
    expect(at(wire, 'cargohold.config.aws.s3DownloadEndpoint')).toBe('https://assets.chat.corp.test');
    const webapp = render(inventory, 'webapp').values;
    expect(at(webapp, 'envVars.CSP_EXTRA_CONNECT_SRC')).toBe(
      'https://*.chat.corp.test, wss://*.chat.corp.test',
    );
    expect(at(webapp, 'envVars.CSP_EXTRA_WORKER_SRC')).toBe('https://*.chat.corp.test');
    expect(at(render(inventory, 'nginx-ingress-services').values, 'config.dns.https')).toBe(
      'nginz-https.chat.corp.test',
    );
  });

  it('TURN URIs name every coturn host by its external IP, UDP and TCP', () => {
    const inventory = production((input) => {
      const host = input.hosts.find((candidate) => candidate.name === 'kubenode1');
      if (host) host.roles = [...host.roles, 'coturn'];
    });
    expect(at(render(inventory, 'wire-server').values, 'brig.turnStatic.v2')).toEqual([
      'turn:192.168.122.21:3478',
      'turn:192.168.122.21:3478?transport=tcp',
      'turn:203.0.113.23:3478',
      'turn:203.0.113.23:3478?transport=tcp',
    ]);
  });

  it("coturn on a demo host labelled sftd selects its node by name, not the example's label", () => {
    expect(at(render(demo(), 'coturn').values, 'nodeSelector')).toEqual({
      'kubernetes.io/hostname': 'wire-demo',
    });
    expect(at(render(production(), 'coturn').values, 'nodeSelector')).toEqual({ 'wire.com/role': 'coturn' });
  });

  it('the ingress controller listens on the NodePorts the port forwards go to', () => {
    expect(
      at(render(production(), 'ingress-nginx-controller').values, 'ingress-nginx.controller.service'),
    ).toEqual({
      type: 'NodePort',
      nodePorts: { https: 31773, http: 31772 },
    });
    expect(
      at(render(production(), 'ingress-nginx-controller').values, 'ingress-nginx.controller.hostPort'),
    ).toBeUndefined();
  });

  it("a demo's controller takes 443 and 80 on its host as hostPorts (no host DNAT to lose on reboot)", () => {
    expect(
      at(render(demo(), 'ingress-nginx-controller').values, 'ingress-nginx.controller.hostPort'),
    ).toEqual({
      enabled: true,
      ports: { https: 443, http: 80 },
    });
  });

  it("cert-manager: issuer settings and the operator's e-mail, no TLS secret; sftd uses the issuer", () => {
    const inventory = production((input) => {
      input.certificates = { mode: 'cert-manager', email: 'pki@corp.test', staging: true };
    });
    const services = render(inventory, 'nginx-ingress-services');
    expect(at(services.values, 'certManager')).toEqual({
      certmasterEmail: 'pki@corp.test',
      inTestMode: true,
    });
    expect(at(services.values, 'tls.useCertManager')).toBe(true);
    expect(services.secrets).toBeUndefined();
    expect(at(render(inventory, 'sftd').values, 'tls')).toEqual({
      issuerRef: { name: 'letsencrypt-http01', kind: 'ClusterIssuer' },
    });
  });

  it('bring-your-own: the chain and key files (relative to the inventory) go to the secrets file only', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire-values-'));
    mkdirSync(join(dir, 'tls'));
    writeFileSync(join(dir, 'tls/chain.pem'), TEST_CERTIFICATE.chain);
    writeFileSync(join(dir, 'tls/key.pem'), TEST_CERTIFICATE.key);
    const inventory = production((input) => {
      input.certificates = { mode: 'bring-your-own', certChain: 'tls/chain.pem', key: 'tls/key.pem' };
    });
    const services = render(inventory, 'nginx-ingress-services', { inventoryDir: dir });
    expect(services.secrets).toEqual({
      secrets: { tlsWildcardCert: TEST_CERTIFICATE.chain, tlsWildcardKey: TEST_CERTIFICATE.key },
    });
    expect(at(services.values, 'tls.useCertManager')).toBe(false);
    const sftd = render(inventory, 'sftd', { inventoryDir: dir });
    expect(at(sftd.values, 'tls')).toEqual({});
    expect(at(sftd.secrets, 'tls.key')).toBe(TEST_CERTIFICATE.key);
  });

  it('an SMTP relay reaches brig; its password only the secrets file', () => {
    const inventory = production((input) => {
      input.wire = {
        smtp: {
          mode: 'relay',
          host: 'mail.corp.test',
          port: 587,
          connType: 'tls',
          username: 'wire',
          sender: 'wire@corp.test',
        },
      };
    });
    const files = chartFiles(
      inventory,
      { ...testSecrets(), smtp: { password: 'TEST-SMTP-PASSWORD' } },
      BUNDLE,
      chart(inventory, 'wire-server'),
    );
    const values = yaml.load(files.values);
    expect(at(values, 'brig.config.smtp')).toEqual({
      host: 'mail.corp.test',
      port: 587,
      connType: 'tls',
      username: 'wire',
    });
    expect(at(values, 'brig.config.emailSMS.general.emailSender')).toBe('wire@corp.test');
    expect(files.values).not.toContain('TEST-SMTP-PASSWORD');
    expect(at(yaml.load(files.secrets ?? ''), 'brig.secrets.smtpPassword')).toBe('TEST-SMTP-PASSWORD');
  });

  it('federation on: the federation domain and the federator ingress', () => {
    const inventory = production((input) => {
      input.wire = { federation: { enabled: true, domain: 'corp.test' } };
    });
    const wire = render(inventory, 'wire-server').values;
    expect(at(wire, 'tags.federation')).toBe(true);
    expect(at(wire, 'brig.config.optSettings.setFederationDomain')).toBe('corp.test');
    expect(at(wire, 'galley.config.settings.federationDomain')).toBe('corp.test');
    expect(at(render(inventory, 'nginx-ingress-services').values, 'config.dns.federator')).toBe(
      'federator.wire.example.com',
    );
  });

  it("tags.proxy is kept from the example; when on, the proxy's config goes to the secrets file", () => {
    const bundle = mkdtempSync(join(tmpdir(), 'wire-bundle-'));
    mkdirSync(join(bundle, 'values/wire-server'), { recursive: true });
    writeFileSync(join(bundle, 'values/wire-server/prod-values.example.yaml'), 'tags:\n  proxy: true\n');
    const on = render(production(), 'wire-server', {}, bundle);
    expect(at(on.values, 'tags.proxy')).toBe(true);
    expect(at(on.secrets, 'proxy.secrets.proxy_config')).toContain('giphy');
    const off = render(production(), 'wire-server');
    expect(at(off.values, 'tags.proxy')).toBe(false);
    expect(at(off.secrets, 'proxy')).toBeUndefined();
  });

  it('a chart without an example in the bundle starts empty; a broken example is bad input naming the file', () => {
    const bundle = mkdtempSync(join(tmpdir(), 'wire-bundle-'));
    expect(chartFiles(production(), testSecrets(), bundle, chart(production(), 'reaper'))).toEqual({
      values: '',
      secrets: undefined,
    });
    mkdirSync(join(bundle, 'values/webapp'), { recursive: true });
    writeFileSync(join(bundle, 'values/webapp/prod-values.example.yaml'), 'envVars: [unclosed\n');
    let caught: unknown;
    try {
      chartFiles(production(), testSecrets(), bundle, chart(production(), 'webapp'));
    } catch (error) {
      caught = error;
    }
    expect(isWireInstallError(caught) && caught.exitCode).toBe(2);
    expect(isWireInstallError(caught) && caught.what).toContain('values/webapp/prod-values.example.yaml');
  });
});

describe('values kept from the last apply', () => {
  it('are read back from .wire-install/values/<release>.yaml beside the inventory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wire-kept-'));
    expect(lastAppliedTree(dir, 'wire-server')).toBeUndefined();
    await keepAppliedValues(
      dir,
      'wire-server',
      'brig:\n  config:\n    optSettings:\n      setFederationDomain: a.test\n',
    );
    const path = lastAppliedValuesPath(dir, 'wire-server');
    expect(path).toBe(join(dir, '.wire-install/values/wire-server.yaml'));
    expect(statSync(path).mode & 0o777).toBe(0o644);
    expect(at(lastAppliedTree(dir, 'wire-server'), 'brig.config.optSettings.setFederationDomain')).toBe(
      'a.test',
    );
  });
});
