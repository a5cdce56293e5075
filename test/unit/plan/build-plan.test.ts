import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../../../src/inventory/defaults.js';
import { buildPlan, type Plan, type PlannedStep, plannedSteps } from '../../../src/plan/build-plan.js';
import { demo, production, productionInput, withoutCallingRoles } from './inventories.js';

const STAGE_ORDER = [
  'preflight',
  'assets',
  'bootstrap-host',
  'kubernetes',
  'databases',
  'workloads',
  'migrations',
  'verify',
];

/** Wire's production order, bin/helm-operations.sh (docs/wire/charts-values-secrets.md#install-order), with cert-manager and calling on. */
const PRODUCTION_CHARTS = [
  'cassandra-external',
  'elasticsearch-external',
  'minio-external',
  'postgresql-external',
  'fake-aws',
  'smtp',
  'rabbitmq-external',
  'databases-ephemeral',
  'reaper',
  'wire-server',
  'webapp',
  'account-pages',
  'team-settings',
  'ingress-nginx-controller',
  'cert-manager',
  'nginx-ingress-services',
  'sftd',
  'coturn',
];

/** WIAB Dev's charts_to_deploy (docs/wire/charts-values-secrets.md#install-order), nginx-ingress-services moved before the calling charts. */
const DEMO_CHARTS = [
  'cert-manager',
  'fake-aws',
  'smtp',
  'rabbitmq',
  'databases-ephemeral',
  'postgresql',
  'reaper',
  'wire-server',
  'webapp',
  'account-pages',
  'team-settings',
  'ingress-nginx-controller',
  'nginx-ingress-services',
  'coturn',
  'sftd',
];

function step(plan: Plan, id: string): PlannedStep {
  const found = plannedSteps(plan).find((candidate) => candidate.id === id);
  if (!found) throw new Error(`${id} is not in the plan`);
  return found;
}

function ids(plan: Plan): string[] {
  return plannedSteps(plan).map((planned) => planned.id);
}

/** The releases installed, in order: workloads steps titled "Install chart ...". */
function charts(plan: Plan): string[] {
  return plannedSteps(plan)
    .filter((planned) => planned.stage === 'workloads' && planned.title.startsWith('Install chart '))
    .map((planned) => planned.id.replace(/^workloads\./, ''));
}

function skipReason(plan: Plan, id: string): string | undefined {
  return plan.skippedSteps.find((skipped) => skipped.id === id)?.reason;
}

describe('buildPlan: stages', () => {
  it('lists the eight stages in the order apply runs them, in both modes', () => {
    for (const plan of [buildPlan(production()), buildPlan(demo())]) {
      expect(plan.stages.map((stage) => stage.id)).toEqual(STAGE_ORDER);
      // and every planned step sits in its stage, so the flat order follows the stage order
      for (const stage of plan.stages)
        for (const planned of stage.steps) expect(planned.stage).toBe(stage.id);
    }
  });

  it('runs every stage of a production inventory with bundled Kubernetes', () => {
    const plan = buildPlan(production());
    for (const stage of plan.stages) {
      expect(stage.skipped, stage.id).toBeUndefined();
      expect(stage.steps.length, stage.id).toBeGreaterThan(0);
    }
  });

  it('serves the bundle before any host points apt at it, and seeds images before kubeadm init', () => {
    const order = ids(buildPlan(production()));
    expect(order.indexOf('assets.serve')).toBeLessThan(order.indexOf('bootstrap-host.apt-sources'));
    expect(order.indexOf('bootstrap-host.apt-sources')).toBeLessThan(
      order.indexOf('bootstrap-host.time-sync'),
    );
    expect(order.indexOf('kubernetes.seed-images')).toBeLessThan(
      order.indexOf('kubernetes.init-control-plane'),
    );
    expect(order.indexOf('databases.cassandra-health')).toBeLessThan(order.indexOf('workloads.wire-server'));
  });

  it('skips the whole kubernetes stage when kubernetes.mode is existing, and checks the cluster instead', () => {
    const plan = buildPlan(production({ kubernetes: { mode: 'existing', kubeconfig: './kubeconfig' } }));
    const kubernetes = plan.stages.find((stage) => stage.id === 'kubernetes');
    expect(kubernetes?.steps).toEqual([]);
    expect(kubernetes?.skipped).toMatch(/kubernetes\.mode is existing/);
    expect(ids(plan).filter((id) => id.startsWith('kubernetes.'))).toEqual([]);
    // node-level Kubernetes preparation is not done on someone else's cluster
    expect(skipReason(plan, 'bootstrap-host.swap-off')).toMatch(/kubernetes\.mode is existing/);
    expect(ids(plan)).toContain('preflight.existing-cluster');

    const bundled = buildPlan(production());
    expect(ids(bundled)).not.toContain('preflight.existing-cluster');
    expect(ids(bundled)).toContain('kubernetes.init-control-plane');
  });

  it('skips the databases stage in demo mode: the databases run in the cluster', () => {
    const plan = buildPlan(demo());
    const databases = plan.stages.find((stage) => stage.id === 'databases');
    expect(databases?.steps).toEqual([]);
    expect(databases?.skipped).toMatch(/demo mode/);
    // the demo host serves the bundle to itself; there is no assethost
    expect(plan.stages.find((stage) => stage.id === 'assets')?.steps.map((planned) => planned.id)).toEqual([
      'assets.serve-on-demo-host',
    ]);
  });
});

describe('buildPlan: hosts by role', () => {
  it('starts Cassandra one host at a time on exactly the three cassandra hosts, seed first', () => {
    const start = step(buildPlan(production()), 'databases.cassandra-start');
    expect(start.target).toBe('hosts');
    expect(start.order).toBe('serial');
    expect(start.hosts).toEqual([
      { name: 'datanode1', reason: 'role cassandra' },
      { name: 'datanode2', reason: 'role cassandra' },
      { name: 'datanode3', reason: 'role cassandra' },
    ]);
  });

  it('follows inventory order, so the first listed host is the seed and the primary', () => {
    const input = productionInput();
    const [k1, k2, k3, d1, d2, d3, asset] = input.hosts;
    if (!k1 || !k2 || !k3 || !d1 || !d2 || !d3 || !asset) throw new Error('fixture changed');
    const plan = buildPlan(applyDefaults({ ...input, hosts: [asset, d3, k1, d1, k2, d2, k3] }));
    expect(step(plan, 'databases.cassandra-start').hosts.map((host) => host.name)).toEqual([
      'datanode3',
      'datanode1',
      'datanode2',
    ]);
    expect(step(plan, 'databases.postgresql-primary').hosts.map((host) => host.name)).toEqual(['datanode3']);
    expect(step(plan, 'preflight.ssh').hosts.map((host) => host.name)).toEqual([
      'assethost',
      'datanode3',
      'kubenode1',
      'datanode1',
      'kubenode2',
      'datanode2',
      'kubenode3',
    ]);
  });

  it('runs first-host-only steps on the first host and after-first steps on the rest, one at a time', () => {
    const plan = buildPlan(production());
    expect(step(plan, 'kubernetes.init-control-plane').hosts).toEqual([
      { name: 'kubenode1', reason: 'role kube-control-plane, first listed' },
    ]);
    const joins = step(plan, 'kubernetes.join-control-planes');
    expect(joins.order).toBe('after-first-serial');
    expect(joins.hosts).toEqual([
      { name: 'kubenode2', reason: 'role kube-control-plane, after kubenode1' },
      { name: 'kubenode3', reason: 'role kube-control-plane, after kubenode1' },
    ]);
    expect(step(plan, 'databases.postgresql-standbys').hosts.map((host) => host.name)).toEqual([
      'datanode2',
      'datanode3',
    ]);
  });

  it('names all hosts, or the roles that matched, as the reason', () => {
    const plan = buildPlan(production());
    const hostname = step(plan, 'bootstrap-host.hostname');
    expect(hostname.hosts).toHaveLength(7);
    expect(new Set(hostname.hosts.map((host) => host.reason))).toEqual(new Set(['all hosts']));
    expect(step(plan, 'kubernetes.containerd').hosts).toEqual(
      ['kubenode1', 'kubenode2', 'kubenode3'].map((name) => ({
        name,
        reason: 'roles kube-control-plane, kube-worker',
      })),
    );
    expect(step(plan, 'assets.serve').hosts).toEqual([{ name: 'assethost', reason: 'role assethost' }]);
  });

  it('lists a step whose role matches no host as skipped, with the reason', () => {
    const plan = buildPlan(production());
    expect(ids(plan)).not.toContain('kubernetes.join-workers');
    expect(skipReason(plan, 'kubernetes.join-workers')).toBe(
      'no host has role kube-worker without kube-control-plane',
    );

    const input = productionInput();
    const withWorker = buildPlan(
      applyDefaults({
        ...input,
        hosts: [...input.hosts, { name: 'kubenode4', address: '192.168.122.24', roles: ['kube-worker'] }],
      }),
    );
    expect(step(withWorker, 'kubernetes.join-workers').hosts).toEqual([
      { name: 'kubenode4', reason: 'role kube-worker' },
    ]);
    expect(skipReason(withWorker, 'kubernetes.join-workers')).toBeUndefined();
  });

  it('skips joining control planes when there is only one, saying so', () => {
    const plan = buildPlan(demo());
    expect(ids(plan)).toContain('kubernetes.init-control-plane');
    expect(skipReason(plan, 'kubernetes.join-control-planes')).toMatch(
      /only wire-demo has role kube-control-plane/,
    );
  });

  it('runs admin steps once on the admin host, without hosts or order', () => {
    const wireServer = step(buildPlan(production()), 'workloads.wire-server');
    expect(wireServer).toMatchObject({ target: 'admin', hosts: [], order: null });
  });
});

describe('buildPlan: charts', () => {
  it("installs production charts exactly in Wire's order (docs/wire/charts-values-secrets.md#install-order)", () => {
    expect(charts(buildPlan(production()))).toEqual(PRODUCTION_CHARTS);
  });

  it("installs demo charts in WIAB Dev's order, without any *-external chart", () => {
    const plan = buildPlan(demo({ wire: { calling: { sft: { enabled: true } } } }));
    expect(charts(plan)).toEqual(DEMO_CHARTS);
    expect(charts(plan).filter((chart) => chart.endsWith('-external'))).toEqual([]);
  });

  it('installs cert-manager only with certificates.mode cert-manager, always before nginx-ingress-services', () => {
    const modes = [
      { mode: 'cert-manager', email: 'certmaster@example.com' },
      { mode: 'bring-your-own', certChain: 'chain.pem', key: 'key.pem' },
      { mode: 'self-signed' },
    ] as const;
    for (const build of [production, demo]) {
      for (const certificates of modes) {
        const plan = buildPlan(build({ certificates }));
        const installed = charts(plan);
        // the ingresses and the TLS secret live in nginx-ingress-services: needed in every mode
        expect(installed).toContain('nginx-ingress-services');
        if (certificates.mode === 'cert-manager') {
          expect(installed.indexOf('cert-manager')).toBeGreaterThanOrEqual(0);
          expect(installed.indexOf('cert-manager')).toBeLessThan(installed.indexOf('nginx-ingress-services'));
          expect(step(plan, 'workloads.cert-manager').title).toMatch(/cert-manager-ns/);
        } else {
          expect(installed).not.toContain('cert-manager');
          expect(skipReason(plan, 'workloads.cert-manager')).toMatch(
            /certificates\.mode is not cert-manager/,
          );
        }
        expect(ids(plan).includes('workloads.self-signed-certificate')).toBe(
          certificates.mode === 'self-signed',
        );
      }
    }
  });

  it('leaves the calling charts and their checks out when calling is disabled', () => {
    const plan = buildPlan(applyDefaults(withoutCallingRoles(productionInput())));
    const installed = charts(plan);
    expect(installed).not.toContain('sftd');
    expect(installed).not.toContain('coturn');
    expect(ids(plan)).not.toContain('workloads.calling-node-labels');
    expect(ids(plan)).not.toContain('verify.coturn-addresses');
    expect(skipReason(plan, 'workloads.sftd')).toMatch(/wire\.calling\.sft\.enabled/);
    expect(skipReason(plan, 'workloads.coturn')).toMatch(/wire\.calling\.coturn\.enabled/);
    // the rest of Wire's order is untouched
    expect(installed).toEqual(PRODUCTION_CHARTS.filter((chart) => chart !== 'sftd' && chart !== 'coturn'));
  });

  it('installs only the calling chart that is enabled, last', () => {
    const plan = buildPlan(production({ wire: { calling: { coturn: { enabled: false } } } }));
    expect(charts(plan).slice(-2)).toEqual(['nginx-ingress-services', 'sftd']);
    expect(ids(plan)).toContain('workloads.calling-node-labels');
  });

  it('leaves the in-cluster smtp relay out when Wire sends through your mail server', () => {
    const plan = buildPlan(production({ wire: { smtp: { mode: 'relay', host: 'mail.example.com' } } }));
    expect(charts(plan)).not.toContain('smtp');
    expect(skipReason(plan, 'workloads.smtp')).toMatch(/wire\.smtp\.mode is relay/);
  });
});

describe('buildPlan: as data', () => {
  it('gives every planned step a unique id, in both modes', () => {
    for (const plan of [buildPlan(production()), buildPlan(demo())]) {
      const all = [...ids(plan), ...plan.skippedSteps.map((skipped) => skipped.id)];
      expect(new Set(all).size).toBe(all.length);
    }
  });

  it('puts the domain into titles that name a URL', () => {
    expect(step(buildPlan(production()), 'verify.api-status').title).toBe(
      'https://nginz-https.wire.example.com/status answers 200',
    );
  });

  it('is pure: the inventory is not changed and the same inventory gives the same plan', () => {
    const inventory = production();
    const before = structuredClone(inventory);
    const first = buildPlan(inventory);
    expect(inventory).toEqual(before);
    expect(buildPlan(inventory)).toEqual(first);
  });

  it('runs the migration jobs in the order Helm runs them, after every chart', () => {
    const plan = buildPlan(production());
    const migrations = plan.stages.find((stage) => stage.id === 'migrations')?.steps.map((s) => s.id);
    expect(migrations).toEqual([
      'migrations.cassandra-migrations',
      'migrations.elasticsearch-index-create',
      'migrations.galley-migrate-data',
      'migrations.gundeck-migrate-data',
      'migrations.spar-migrate-data',
      'migrations.brig-index-migrate-data',
    ]);
  });
});
