import { elasticsearchHealthStep } from './health.js';
import { elasticsearchInstallStep } from './install.js';

/**
 * Elasticsearch 6.8 for user search (Wire's elasticsearch.yml, docs/wire/install-sequences.md#elasticsearch-install).
 *
 * Elasticsearch 6.8.23 (OSS) on the elasticsearch hosts, as Wire's elasticsearch.yml does it
 * (docs/wire/install-sequences.md#elasticsearch-install): Java 8 from the bundle's apt repository, the .deb from binaries.tar,
 * elasticsearch.yml naming every node for zen discovery, the heap from the host's memory, and
 * the service. The health check asks the first node for a green cluster with every node in it,
 * which elasticsearch-index-create needs (docs/wire/migrations.md#migration-jobs, docs/wire/health-and-ports.md#health-checks).
 */
export const elasticsearchSteps = [elasticsearchInstallStep, elasticsearchHealthStep] as const;
