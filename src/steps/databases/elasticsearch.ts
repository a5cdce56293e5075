import { PRODUCTION_ONLY, type StepDefinition } from '../types.js';

/** Elasticsearch 6.8 for user search (Wire's elasticsearch.yml, docs/wire/install-sequences.md#elasticsearch-install). */
export const elasticsearchSteps: readonly StepDefinition[] = [
  {
    id: 'databases.elasticsearch-install',
    stage: 'databases',
    title: 'Install elasticsearch-oss 6.8.23 and form the cluster',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['elasticsearch'] },
    order: 'parallel',
    why: "Wire's elasticsearch.yml installs elasticsearch-oss-6.8.23.deb from the bundle; every node is master-eligible",
  },
  {
    id: 'databases.elasticsearch-health',
    stage: 'databases',
    title: 'Check Elasticsearch: cluster health green, every node joined',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['elasticsearch'] },
    order: 'first-host-only',
    why: 'elasticsearch-index-create needs a green cluster to create the directory index',
  },
];
