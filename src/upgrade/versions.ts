/**
 * What each wire-server chart minor version asks of an upgrade, as data (FACTS 7, "Per-version
 * breaking changes", from Wire's config references `wire-server-5.2x.md` and the CHANGELOG).
 * Changes are cumulative (FACTS 7.1): an upgrade from 5.28 to 5.32 must honour every note of
 * 5.29 to 5.32. Versions FACTS 7 does not mention have no entry (no notes, not "no changes").
 *
 * - `broken`: Wire declared the version unusable (FACTS 11.7): for every install, or only for
 *   federated ones. An upgrade never stops on it (version-path.ts).
 * - `automatic`: what wire-install's values code already does for that change; each names the
 *   function (or chart list) that does it, so a reader can check the claim.
 * - `actions`: what the operator must do by hand, with why; `optional` ones may be left out.
 * - `notices`: what changed that needs no action here, said so nobody wonders.
 * An item with `onlyWhen` applies to federated (or to non-federated) installs only.
 */

export type FederationScope = 'federated' | 'not-federated';

export interface AutomaticChange {
  /** The change Wire requires, one sentence. */
  change: string;
  /** How wire-install does it, naming the function or file. */
  doneBy: string;
  onlyWhen?: FederationScope;
}

export interface RequiredAction {
  /** What to do, one sentence. */
  what: string;
  /** Why, one sentence. */
  why: string;
  optional?: boolean;
  onlyWhen?: FederationScope;
}

export interface VersionNotes {
  /** The chart minor version, "5.24". */
  version: string;
  broken?: { scope: 'every-install' | 'federated'; reason: string };
  automatic: readonly AutomaticChange[];
  actions: readonly RequiredAction[];
  notices: readonly string[];
  /** Where it comes from: FACTS section and Wire's config reference. */
  source: string;
}

/** The newest chart version whose notes are known (the WSD release FACTS describes, FACTS 0 and 5.1). */
export const NEWEST_KNOWN_VERSION = '5.32';

const reference = (minor: number) =>
  `FACTS 7 (per-version table); Wire's config reference wire-server-5.${minor}.md`;

export const VERSION_NOTES: readonly VersionNotes[] = [
  {
    version: '5.8',
    automatic: [
      {
        change: 'RabbitMQ is mandatory for cannon and gundeck',
        doneBy:
          "wireServerValues (src/workloads/values/wire-server.ts) sets every service's config.rabbitmq.host; the rabbitmq-external chart (production) or rabbitmq chart (demo) is deployed before wire-server (src/steps/workloads/charts.ts)",
      },
      {
        change: 'cannon and background-worker need Cassandra (the gundeck keyspace)',
        doneBy: 'wireServerValues sets cannon.config.cassandra and background-worker.config.cassandra',
      },
    ],
    actions: [],
    notices: [],
    source: reference(8),
  },
  {
    version: '5.12',
    automatic: [],
    actions: [
      {
        what: "run the one-off migrate-features job once (helm install ... ./charts/migrate-features) and wait for COMPLETIONS 1/1; if it never ran, upgrade to 5.12 first with that version's bundle",
        why: 'it converts team features to the new storage and must finish before the next release (FACTS 6); teams being migrated are read-only meanwhile',
      },
    ],
    notices: ['compatible with Elasticsearch 6.8 and OpenSearch 1.3'],
    source: `${reference(12)}; FACTS 6 (migrate-features)`,
  },
  {
    version: '5.16',
    automatic: [
      {
        change: 'PostgreSQL is mandatory for brig',
        doneBy:
          'wireServerValues sets brig.config.postgresql and wireServerSecrets brig.secrets.pgPassword; the postgresql-external chart points at the PostgreSQL VMs',
      },
    ],
    actions: [
      {
        what: 'make sure PostgreSQL runs before the wire-server upgrade (wire-install apply installs it in its postgresql stage)',
        why: "brig's migrations and start-up need it from this version on",
      },
    ],
    notices: [],
    source: reference(16),
  },
  {
    version: '5.19',
    automatic: [
      {
        change: 'galley needs PostgreSQL, the same instance as brig',
        doneBy: 'wireServerValues gives galley.config.postgresql the same host, user and database as brig',
      },
    ],
    actions: [],
    notices: [],
    source: reference(19),
  },
  {
    version: '5.23',
    automatic: [
      {
        change: 'RabbitMQ and PostgreSQL run on ansible-managed VMs (wire-server-deploy)',
        doneBy:
          'production mode installs both on the database hosts (the rabbitmq and postgresql stages) and points wire-server at them through the *-external charts',
      },
      {
        change: 'cargohold uses a least-privilege MinIO user',
        doneBy:
          "wireServerSecrets sets cargohold's awsKeyId/awsSecretKey to secrets.yaml's MinIO cargohold keys",
      },
    ],
    actions: [
      {
        what: "upgrade Cassandra 3.11.16 to 3.11.19 with Wire's guide (cassandra_pre_upgrade.yml, cassandra.yml without restart, a manual rolling restart, cassandra_post_upgrade.yml)",
        why: 'the bundle ships 3.11.19 binaries, and wire-install does not run this rolling upgrade',
      },
    ],
    notices: [],
    source: `FACTS 7 (per-version table, 5.23 WSD); offline/upgrades/cassandra-3.11.16-to-3.11.19.md`,
  },
  {
    version: '5.24',
    automatic: [
      {
        change: 'redis-ephemeral deployed before wire-server, gundeck.config.redis.host pointing at it',
        doneBy:
          'the chart list deploys databases-ephemeral (redis only) before wire-server (src/steps/workloads/charts.ts), and wireServerValues sets gundeck.config.redis.host to redisHostFor(mode) = redis-ephemeral (src/workloads/values/redis.ts); rule values.redis-host checks they agree (FACTS 11.5)',
      },
      {
        change: 'brig.config.rabbitmq.host set explicitly',
        doneBy: 'wireServerValues sets brig.config.rabbitmq.{host, port, vHost}',
      },
      {
        change:
          'new background-worker config: federationDomain, cassandraBrig, cassandraGalley, postgresql, pgPassword',
        doneBy:
          "wireServerValues sets them under background-worker.config; wireServerSecrets sets background-worker's pgPassword",
      },
    ],
    actions: [
      {
        what: 'migrate conversations to PostgreSQL in three helm upgrades: postgresMigration.conversation migration-to-postgresql with migrateConversations off, then on and wait for the metrics to reach 1.0, then postgresql; never switch back to cassandra',
        why: "the migration is effectively mandatory (FACTS 11.7); wire-install takes the state from the bundle's example values and its rule values.postgres-migration-order (postgresMigrationForward) refuses skipping a state against the last apply, but it does not run the three upgrades for you",
      },
      {
        what: 'if brig fails to start, set brig.config.enableFederation: true in the wire-server values',
        why: "Wire's known 5.24 bug: brig fails in non-federated setups; wireServerValues sets enableFederation from the inventory (false here) and does not apply the workaround",
        onlyWhen: 'not-federated',
      },
    ],
    notices: [],
    source: `${reference(24)}; FACTS 11.5, 11.7`,
  },
  {
    version: '5.25',
    automatic: [
      {
        change: 'background-worker.config.postgresMigration.conversation set explicitly',
        doneBy:
          "postgresMigration() in wire-server.ts writes every postgresMigration key for galley and background-worker (the bundle example's state, else postgresql); rule values.postgres-migration checks both agree",
      },
      {
        change: 'galley.secrets.mlsPrivateKeys required, even with MLS off',
        doneBy:
          'wireServerSecrets writes the four removal keys from secrets.yaml (wire-install secrets generates them, src/secrets/mls.ts); rule values.mls-removal-keys refuses a missing one',
      },
    ],
    actions: [],
    notices: [
      'the chart default postgresql made conversations "disappear" on installs that had not migrated (FACTS 9.14): the explicit value above prevents it',
      "new cells feature fields: wire-install does not override featureFlags.cells, so the chart's default applies",
    ],
    source: `${reference(25)}; FACTS 5.4, 9.14`,
  },
  {
    version: '5.26',
    broken: {
      scope: 'federated',
      reason: 'Wire says federated installs must skip 5.26 (FACTS 7, 11.7)',
    },
    automatic: [
      {
        change:
          'installs that already migrated must set postgresMigration to postgresql explicitly (the background-worker default goes back to cassandra)',
        doneBy:
          'postgresMigration() in wire-server.ts always writes every key for galley and background-worker',
      },
      {
        change: 'brig-index needs PostgreSQL',
        doneBy: 'wireServerValues sets elasticsearch-index.postgresql.host (FACTS 11.10)',
      },
    ],
    actions: [
      {
        what: 'refill Elasticsearch from Cassandra after the upgrade: delete the directory and wire_brig_migrations indices, then helm upgrade wire-server again (or POST /i/index/reindex on brig)',
        why: "Wire's 5.26 notes require it; user data is safe in Cassandra and the index hooks rebuild the search index (FACTS 6)",
      },
      {
        what: 'make sure Kubernetes is at least 1.27',
        why: 'wire-server 5.26 and later need it; the bundle installs 1.29.10, an existing cluster must be checked (FACTS 10)',
      },
      {
        what: 'migrate conversation codes to PostgreSQL (postgresMigration.conversationCodes, one state at a time)',
        why: 'optional in 5.26; the data moves to PostgreSQL over the next releases (FACTS 10)',
        optional: true,
      },
    ],
    notices: [],
    source: `${reference(26)}; FACTS 6, 10, 11.7`,
  },
  {
    version: '5.27',
    automatic: [
      {
        change: 'webapp, team-settings and account-pages are standalone charts',
        doneBy: 'the chart list installs them as their own releases (src/steps/workloads/charts.ts)',
      },
    ],
    actions: [
      {
        what: 'migrate team features to PostgreSQL (postgresMigration.teamFeatures, one state at a time); afterwards the team_features_dyn table can be dropped',
        why: 'optional in 5.27; the background-worker moves the data when asked',
        optional: true,
      },
    ],
    notices: [],
    source: reference(27),
  },
  {
    version: '5.28',
    automatic: [
      {
        change:
          'image overrides for demo-smtp, fake-aws-ses, fake-aws-sns and legalhold use image.repository + image.tag',
        doneBy:
          "wire-install sets no image override; images stay as the bundle's example values have them (wire-server.ts header)",
      },
    ],
    actions: [
      {
        what: 're-create the apps created before this version',
        why: "Wire's 5.28 notes say apps created earlier must be re-created",
      },
    ],
    notices: [
      'only Cassandra 4.1.x is tested from this version on; the bundle still ships 3.11.19 (FACTS 10)',
    ],
    source: `${reference(28)}; FACTS 10`,
  },
  {
    version: '5.29',
    broken: {
      scope: 'every-install',
      reason:
        'Wire declared 5.29 broken: services are inlined into the umbrella chart, tags.<service> stop working and proxy can no longer be disabled (FACTS 7, 11.7)',
    },
    automatic: [
      {
        change: 'tags.<service> are obsolete for the inlined services',
        doneBy:
          'wireServerValues sets only tags.proxy, tags.legalhold and tags.federation, never a tag of an inlined service',
      },
      {
        change: 'the metallb chart is removed',
        doneBy: 'wire-install never installs metallb (src/steps/workloads/charts.ts)',
      },
    ],
    actions: [],
    notices: ['the rate-limit status code (420) becomes configurable'],
    source: `${reference(29)}; FACTS 11.7`,
  },
  {
    version: '5.30',
    automatic: [
      {
        change: 'tags.proxy must be set explicitly again',
        doneBy:
          "wireServerValues sets tags.proxy (the bundle example's value, else false); rule values.tags-proxy refuses values without it",
      },
    ],
    actions: [
      {
        what: 'if calling still uses restund, migrate to coturn before upgrading (installs made by wire-install already use coturn): deploy coturn, switch turnStatic, helm upgrade wire-server, wait at least 24 h, then stop restund',
        why: 'restund is no longer shipped from 5.30, and clients refresh their calling configuration only once a day (FACTS 5.2)',
      },
    ],
    notices: [
      "background-worker reads cassandraGalley, postgresql and federationDomain from galley's config; wireServerValues still writes them, which is redundant (FACTS 5.3)",
    ],
    source: `${reference(30)}; FACTS 5.2, 5.3`,
  },
];

export function notesOf(version: string): VersionNotes | undefined {
  return VERSION_NOTES.find((notes) => notes.version === version);
}
