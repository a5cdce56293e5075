import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test files in the order that finishes soonest: the slowest first, so that no long file starts
 * last while the other lab slot (or worker) sits idle (longest processing time first). On a fresh
 * clone vitest has no durations from an earlier run and orders files by size, which put the
 * slowest lab files (about 4-9 min each beside the unit tests) near the end. The list is of the
 * files measured slowest in CI; files not in it keep vitest's own order after them.
 */
const SLOWEST_FIRST = [
  'test/lab/databases-grow.test.ts',
  'test/lab/host-side.test.ts',
  'test/lab/doctor-databases.test.ts',
  'test/lab/upgrade-backups.test.ts',
  'test/lab/engine-faults.test.ts',
  'test/lab/kubernetes-node.test.ts',
  'test/lab/databases-postgresql.test.ts',
  'test/lab/databases-rabbitmq.test.ts',
  'test/lab/engine-interrupt.test.ts',
  'test/lab/kubernetes-cluster.test.ts',
  'test/lab/databases-cassandra.test.ts',
  'test/lab/databases-elasticsearch.test.ts',
  'test/conformance/charts.test.ts',
  'test/cli/help-examples.test.ts',
  'test/cli/workloads-helm.test.ts',
  'test/cli/upgrade-run.test.ts',
  'test/cli/release.test.ts',
];

export default class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const index = SLOWEST_FIRST.findIndex((file) => spec.moduleId.endsWith(`/${file}`));
      return index === -1 ? SLOWEST_FIRST.length : index;
    };
    // Array.prototype.sort is stable: files of equal rank keep vitest's order.
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}
