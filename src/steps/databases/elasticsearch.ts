import { PRODUCTION_ONLY, type StepDefinition } from '../types.js';

/** Elasticsearch 6.8 for user search (Wire's elasticsearch.yml, FACTS 1c step 6.7). */
export const elasticsearchSteps: readonly StepDefinition[] = [
  {
    id: 'databases.elasticsearch-install',
    stage: 'databases',
    title: 'Install elasticsearch-oss 6.8.23 and form the cluster',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['elasticsearch'] },
    order: 'parallel',
    why: "Wire's elasticsearch.yml installs elasticsearch-oss-6.8.23.deb from the bundle; every node is master-eligible (FACTS 1c, 2.1)",
  },
  {
    id: 'databases.elasticsearch-health',
    stage: 'databases',
    title: 'Check Elasticsearch: cluster health green, every node joined',
    modes: PRODUCTION_ONLY,
    target: { kind: 'hosts', roles: ['elasticsearch'] },
    order: 'first-host-only',
    why: 'elasticsearch-index-create needs a green cluster to create the directory index (FACTS 6, 8.1 Elasticsearch)',
  },
];
