/**
 * What each wire-server chart minor version asks of an upgrade, as data
 * (docs/wire/upgrades.md#version-notes, from Wire's configuration references and the
 * wire-server CHANGELOG). Changes are cumulative (docs/wire/upgrades.md#plan-the-path): an
 * upgrade from 5.28 to 5.32 must honour every note of 5.29 to 5.32. Versions Wire's notes do not
 * mention have no entry (no notes, not "no changes").
 *
 * - `broken`: Wire declared the version unusable (docs/wire/upgrades.md#versions-to-skip): for
 *   every install, or only for federated ones. An upgrade never stops on it (version-path.ts).
 * - `automatic`: what wire-install already does for that change, said to the operator; the code
 *   that does it is named in a comment beside the entry, so a maintainer can check the claim.
 * - `actions`: what the operator must do by hand, with why; `optional` ones may be left out.
 * - `notices`: what changed that needs no action here, said so nobody wonders.
 * An item with `onlyWhen` applies to federated (or to non-federated) installs only. Every text
 * here is shown to operators (`upgrade --plan`, its --json record, docs/upgrade.md): it says what
 * happens to their installation, never which function does it.
 */

export type FederationScope = 'federated' | 'not-federated';

export interface AutomaticChange {
  /** The change Wire requires, one sentence. */
  change: string;
  /** What wire-install does about it, in the operator's terms (no function or file names). */
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
  /** Where it comes from: Wire's public source, and the section of docs/wire/upgrades.md. */
  source: string;
}

/**
 * The newest chart version whose notes are known: the wire-server-deploy release the Wire
 * reference describes (docs/wire/README.md#sources-and-versions,
 * docs/wire/charts-values-secrets.md#charts-and-versions).
 */
export const NEWEST_KNOWN_VERSION = '5.32';

/** This project's summary of a version's notes, with Wire's sources (docs/wire/upgrades.md). */
const notesAt = (minor: number) => `docs/wire/upgrades.md#version-5${minor}`;

/** Wire's configuration reference of a release (published for 5.24 and later). */
const configReference = (minor: number) =>
  `Wire's configuration reference for 5.${minor}, https://docs.wire.com/latest/how-to/upgrade/config-references/wire-server-5.${minor}.0.html; ${notesAt(minor)}`;

/** The wire-server CHANGELOG, for releases older than the configuration references. */
const changelog = (minor: number) =>
  `wire-server CHANGELOG, chart release 5.${minor}.0, https://github.com/wireapp/wire-server/blob/develop/CHANGELOG.md; ${notesAt(minor)}`;

export const VERSION_NOTES: readonly VersionNotes[] = [
  {
    version: '5.8',
    automatic: [
      {
        change: 'RabbitMQ is mandatory for cannon and gundeck',
        // wireServerValues (src/workloads/values/wire-server.ts); the chart lists of src/wire/charts.ts.
        doneBy:
          'wire-install points every service at RabbitMQ and deploys RabbitMQ before wire-server: rabbitmq-external (your RabbitMQ hosts) in production, the in-cluster rabbitmq chart in a demo',
      },
      {
        change: 'cannon and background-worker need Cassandra (the gundeck keyspace)',
        // wireServerValues: cannon.config.cassandra, background-worker.config.cassandra.
        doneBy: 'wire-install gives cannon and background-worker the Cassandra address',
      },
    ],
    actions: [],
    notices: [],
    source: changelog(8),
  },
  {
    version: '5.12',
    automatic: [],
    actions: [
      {
        what: "run the one-off migrate-features job once (helm install ... ./charts/migrate-features) and wait for COMPLETIONS 1/1; if it never ran, upgrade to 5.12 first with that version's bundle",
        why: 'it converts team features to the new storage and must finish before the next release; teams being migrated are read-only meanwhile',
      },
    ],
    notices: ['compatible with Elasticsearch 6.8 and OpenSearch 1.3'],
    source: `${changelog(12)}; docs/wire/migrations.md#migrate-features`,
  },
  {
    version: '5.16',
    automatic: [
      {
        change: 'PostgreSQL is mandatory for brig',
        // wireServerValues: brig.config.postgresql; wireServerSecrets: brig.secrets.pgPassword.
        doneBy:
          'wire-install gives brig the PostgreSQL address, user and password (the password from secrets.yaml), and the postgresql-external chart points at your PostgreSQL hosts',
      },
    ],
    actions: [
      {
        what: 'make sure PostgreSQL runs before the wire-server upgrade (wire-install apply installs it in its postgresql stage)',
        why: "brig's migrations and start-up need it from this version on",
      },
    ],
    notices: [],
    source: changelog(16),
  },
  {
    version: '5.19',
    automatic: [
      {
        change: 'galley needs PostgreSQL, the same instance as brig',
        // wireServerValues: galley.config.postgresql.
        doneBy: 'wire-install gives galley the same PostgreSQL host, user and database as brig',
      },
    ],
    actions: [],
    notices: [],
    source: changelog(19),
  },
  {
    version: '5.23',
    automatic: [
      {
        change: 'RabbitMQ and PostgreSQL run on ansible-managed VMs (wire-server-deploy)',
        doneBy:
          'in production wire-install installs both on your database hosts (the databases stage) and points wire-server at them through the *-external charts',
      },
      {
        change: 'cargohold uses a least-privilege MinIO user',
        // wireServerSecrets: cargohold.secrets.awsKeyId/awsSecretKey.
        doneBy: "cargohold gets the MinIO cargohold user's keys from secrets.yaml, never the root keys",
      },
    ],
    actions: [
      {
        what: "upgrade Cassandra 3.11.16 to 3.11.19 with Wire's guide (cassandra_pre_upgrade.yml, cassandra.yml without restart, a manual rolling restart, cassandra_post_upgrade.yml)",
        why: 'the bundle ships 3.11.19 binaries, and wire-install does not run this rolling upgrade',
      },
    ],
    notices: [],
    source:
      "wire-server-deploy's CHANGELOG and its guide offline/upgrades/cassandra-3.11.16-to-3.11.19.md, https://github.com/wireapp/wire-server-deploy/blob/v5.32/offline/upgrades/cassandra-3.11.16-to-3.11.19.md; docs/wire/upgrades.md#version-523",
  },
  {
    version: '5.24',
    automatic: [
      {
        change: 'redis-ephemeral deployed before wire-server, gundeck.config.redis.host pointing at it',
        // The chart lists of src/wire/charts.ts; wireServerValues with redisHostFor
        // (src/workloads/values/redis.ts); the rule values.redis-host (docs/wire/known-problems.md#redis-service-name).
        doneBy:
          'wire-install deploys the redis chart (databases-ephemeral, redis only) before wire-server and points gundeck at the redis service it creates (redis-ephemeral); it refuses values where the two disagree (rule values.redis-host)',
      },
      {
        change: 'brig.config.rabbitmq.host set explicitly',
        // wireServerValues: brig.config.rabbitmq.
        doneBy: "wire-install sets brig's RabbitMQ host, port and vHost",
      },
      {
        change:
          'new background-worker config: federationDomain, cassandraBrig, cassandraGalley, postgresql, pgPassword',
        // wireServerValues: background-worker.config; wireServerSecrets: background-worker.secrets.pgPassword.
        doneBy:
          "wire-install writes them into background-worker's configuration, and its PostgreSQL password from secrets.yaml",
      },
    ],
    actions: [
      {
        what: 'migrate conversations to PostgreSQL in three helm upgrades: postgresMigration.conversation migration-to-postgresql with migrateConversations off, then on and wait for the metrics to reach 1.0, then postgresql; never switch back to cassandra',
        // The rule values.postgres-migration-order (postgresMigrationForward, src/workloads/values/rules.ts).
        why: "the migration is effectively mandatory; wire-install takes the state from the bundle's example values and refuses a state that skips a step or goes back against the last apply (rule values.postgres-migration-order), but it does not run the three upgrades for you",
      },
      {
        what: 'if brig fails to start, set brig.config.enableFederation: true in the wire-server values',
        why: "Wire's known 5.24 bug: brig fails in non-federated setups; wire-install sets enableFederation from the inventory (false here) and does not apply the workaround",
        onlyWhen: 'not-federated',
      },
    ],
    notices: [],
    source: `${configReference(24)}; docs/wire/known-problems.md#redis-service-name`,
  },
  {
    version: '5.25',
    automatic: [
      {
        change: 'background-worker.config.postgresMigration.conversation set explicitly',
        // postgresMigration() in src/workloads/values/wire-server.ts; the rule values.postgres-migration.
        doneBy:
          "wire-install always writes every postgresMigration state explicitly, the same for galley and background-worker (the bundle example's state, else postgresql), and refuses values where the two differ (rule values.postgres-migration)",
      },
      {
        change: 'galley.secrets.mlsPrivateKeys required, even with MLS off',
        // wireServerSecrets; the keys come from src/secrets/mls.ts; the rule values.mls-removal-keys.
        doneBy:
          'wire-install generates the four removal keys into secrets.yaml, writes them into the wire-server secrets and refuses values that miss one (rule values.mls-removal-keys)',
      },
    ],
    actions: [],
    notices: [
      'the chart default postgresql made conversations "disappear" on installs that had not migrated: the explicit value above prevents it',
      "new cells feature fields: wire-install does not override featureFlags.cells, so the chart's default applies",
    ],
    source: `${configReference(25)}; docs/wire/known-problems.md#conversations-disappeared-after-525`,
  },
  {
    version: '5.26',
    broken: {
      scope: 'federated',
      reason: 'Wire says federated installs must skip 5.26',
    },
    automatic: [
      {
        change:
          'installs that already migrated must set postgresMigration to postgresql explicitly (the background-worker default goes back to cassandra)',
        // postgresMigration() in src/workloads/values/wire-server.ts.
        doneBy:
          'wire-install always writes every postgresMigration state explicitly, for galley and background-worker',
      },
      {
        change: 'brig-index needs PostgreSQL',
        // wireServerValues: elasticsearch-index.postgresql.host (docs/wire/known-problems.md#search-index-and-postgresql).
        doneBy:
          'wire-install points the search index jobs at your PostgreSQL (elasticsearch-index.postgresql.host)',
      },
    ],
    actions: [
      {
        what: 'refill Elasticsearch from Cassandra after the upgrade: delete the directory and wire_brig_migrations indices, then helm upgrade wire-server again (or POST /i/index/reindex on brig)',
        why: "Wire's 5.26 notes require it; user data is safe in Cassandra and the index hooks rebuild the search index",
      },
      {
        what: 'make sure Kubernetes is at least 1.27',
        why: 'wire-server 5.26 and later need it; the bundle installs 1.29.10, an existing cluster must be checked',
      },
      {
        what: 'migrate conversation codes to PostgreSQL (postgresMigration.conversationCodes, one state at a time)',
        why: 'optional in 5.26; the data moves to PostgreSQL over the next releases',
        optional: true,
      },
    ],
    notices: [],
    source: `${configReference(26)}; docs/wire/migrations.md#rebuilding-the-search-index`,
  },
  {
    version: '5.27',
    automatic: [
      {
        change: 'webapp, team-settings and account-pages are standalone charts',
        // The chart lists of src/wire/charts.ts.
        doneBy: 'wire-install installs them as releases of their own',
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
    source: configReference(27),
  },
  {
    version: '5.28',
    automatic: [
      {
        change:
          'image overrides for demo-smtp, fake-aws-ses, fake-aws-sns and legalhold use image.repository + image.tag',
        // The header of src/workloads/values/wire-server.ts.
        doneBy: "wire-install sets no image override: the images are those of the bundle's example values",
      },
    ],
    actions: [
      {
        what: 're-create the apps created before this version',
        why: "Wire's 5.28 notes say apps created earlier must be re-created",
      },
    ],
    notices: ['only Cassandra 4.1.x is tested from this version on; the bundle still ships 3.11.19'],
    source: configReference(28),
  },
  {
    version: '5.29',
    broken: {
      scope: 'every-install',
      reason:
        'Wire declared 5.29 broken: services are inlined into the umbrella chart, tags.<service> stop working and proxy can no longer be disabled',
    },
    automatic: [
      {
        change: 'tags.<service> are obsolete for the inlined services',
        // wireServerValues: tags.
        doneBy:
          'wire-install sets only tags.proxy, tags.legalhold and tags.federation, never a tag of an inlined service',
      },
      {
        change: 'the metallb chart is removed',
        // The chart lists of src/wire/charts.ts.
        doneBy: 'wire-install never installs metallb',
      },
    ],
    actions: [],
    notices: ['the rate-limit status code (420) becomes configurable'],
    source: `${configReference(29)}; docs/wire/upgrades.md#versions-to-skip`,
  },
  {
    version: '5.30',
    automatic: [
      {
        change: 'tags.proxy must be set explicitly again',
        // wireServerValues: tags.proxy; the rule values.tags-proxy.
        doneBy:
          "wire-install always sets tags.proxy (the bundle example's value, else false) and refuses values without it (rule values.tags-proxy)",
      },
    ],
    actions: [
      {
        what: 'if calling still uses restund, migrate to coturn before upgrading (installs made by wire-install already use coturn): deploy coturn, switch turnStatic, helm upgrade wire-server, wait at least 24 h, then stop restund',
        why: 'restund is no longer shipped from 5.30, and clients refresh their calling configuration only once a day',
      },
    ],
    notices: [
      "background-worker reads cassandraGalley, postgresql and federationDomain from galley's config; wire-install still writes them into background-worker's configuration, which is redundant",
    ],
    source: `${configReference(30)}; docs/wire/charts-values-secrets.md#install-order`,
  },
];

export function notesOf(version: string): VersionNotes | undefined {
  return VERSION_NOTES.find((notes) => notes.version === version);
}
