import { hostsWithRole, type Inventory } from '../../inventory/defaults.js';
import { derivedSalt, sha512Crypt } from '../../secrets/sha512-crypt.js';
import { wireHas } from './chart-versions.js';
import { type ChartOverlay, publicAddress, serviceHosts, type ValuesContext, wireUrls } from './context.js';
import { redisHostFor } from './redis.js';
import { at, removed, type Tree } from './tree.js';

/**
 * wire-server's values over Wire's prod- or demo-values.example.yaml (docs/wire/charts-values-secrets.md#values) and its
 * secrets (docs/wire/charts-values-secrets.md#secrets). Everything the inventory decides is set here; the rest (resources,
 * images, Wire's feature defaults) stays as the bundle's example has it.
 */

/** Where the PostgreSQL migration of each data kind stands (docs/wire/upgrades.md#version-notes). */
export const POSTGRES_MIGRATION_KEYS = ['conversation', 'conversationCodes', 'teamFeatures'] as const;
export const POSTGRES_MIGRATION_STATES = ['cassandra', 'migration-to-postgresql', 'postgresql'] as const;

/** Cassandra's replication factor: 3 in production (Wire's RF), never more than there are nodes; 1 in a demo. */
function replicationFactor(inventory: Inventory): number {
  if (inventory.mode === 'demo') return 1;
  return Math.min(3, Math.max(hostsWithRole(inventory, 'cassandra').length, 1));
}

/** The example's URL moved onto `host`, keeping Wire's path and query (e.g. /verify/?key=${key}). */
function rehost(url: unknown, origin: string, fallbackPath: string): string {
  if (typeof url !== 'string') return `${origin}${fallbackPath}`;
  return url.replace(/^https?:\/\/[^/]+/, origin);
}

/**
 * Wire's account page paths when the example has none; `${key}` and `${code}` are brig's own
 * placeholders, filled in per e-mail, not JavaScript templates.
 */
const ACCOUNT_PATHS: Record<string, string> = {
  // biome-ignore-start lint/suspicious/noTemplateCurlyInString: brig's placeholders
  activationUrl: '/verify/?key=${key}&code=${code}',
  smsActivationUrl: '/v/${code}',
  passwordResetUrl: '/reset/?key=${key}&code=${code}',
  invitationUrl: '/i/${code}',
  deletionUrl: '/d/?key=${key}&code=${code}',
  // biome-ignore-end lint/suspicious/noTemplateCurlyInString: brig's placeholders
};

/** brig's e-mail links, all on account.<domain> (docs/wire/charts-values-secrets.md#values). */
function accountUrls(example: unknown, origin: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(ACCOUNT_PATHS).map(([key, path]) => [key, rehost(at(example, key), origin, path)]),
  );
}

/** TURN URIs clients get from brig: every coturn node's public address, UDP and TCP on 3478 (docs/wire/charts-values-secrets.md#values, docs/wire/health-and-ports.md#ports-and-firewall). */
export function turnUris(inventory: Inventory): string[] {
  return hostsWithRole(inventory, 'coturn').flatMap((host) => [
    `turn:${publicAddress(host)}:3478`,
    `turn:${publicAddress(host)}:3478?transport=tcp`,
  ]);
}

/**
 * The migration state of each data kind: the example's when it names one, else `postgresql`
 * (a new 5.32 install starts on PostgreSQL). Always written out: the chart defaults changed
 * between releases and once made conversations disappear (docs/wire/upgrades.md#version-525, docs/wire/known-problems.md#conversations-disappeared-after-525).
 */
function postgresMigration(example: unknown): Record<string, string> {
  return Object.fromEntries(
    POSTGRES_MIGRATION_KEYS.map((key) => {
      const given = at(example, key);
      return [key, typeof given === 'string' ? given : 'postgresql'];
    }),
  );
}

function featureFlag(enabled: boolean, on: string, off: string): string {
  return enabled ? on : off;
}

export function wireServerValues(context: ValuesContext): Tree {
  const { inventory, example } = context;
  const { domain, wire } = inventory;
  const url = wireUrls(domain);
  const hosts = serviceHosts(inventory);
  const federation = wire.federation.enabled;
  const federationDomain = wire.federation.domain;
  const cassandra = { host: hosts.cassandra };
  const rabbitmq = { host: hosts.rabbitmq, port: 5672, vHost: '/' };
  const postgresql = { host: hosts.postgresql, port: '5432', user: 'wire-server', dbname: 'wire-server' };
  const migration = postgresMigration(at(example, 'galley.config.postgresMigration'));
  const emailUser = at(example, 'brig.config.emailSMS.user');
  const smtp =
    wire.smtp.mode === 'relay'
      ? {
          host: wire.smtp.host,
          port: wire.smtp.port,
          connType: wire.smtp.connType,
          ...(wire.smtp.username ? { username: wire.smtp.username } : {}),
        }
      : { host: 'smtp', port: 25, connType: 'plain' };
  const turns = turnUris(inventory);
  const proxy = at(example, 'tags.proxy');

  return {
    tags: {
      // Must be explicit from 5.30 on (docs/wire/charts-values-secrets.md#values); off unless the bundle's example turns it on.
      proxy: typeof proxy === 'boolean' ? proxy : false,
      // Wire's legal hold service is not deployed by wire-install: wire.features.legalhold only
      // lets teams connect one (galley's feature flag below). The chart's legalhold needs a
      // service token, a TLS key and a database of its own.
      legalhold: false,
      federation,
    },
    legalhold: removed(
      'the legal hold service is not deployed (tags.legalhold: false); its example host is example.com',
    ),
    'cassandra-migrations': {
      cassandra: { host: hosts.cassandra, replicationFactor: replicationFactor(inventory) },
    },
    'elasticsearch-index': {
      elasticsearch: { host: hosts.elasticsearch },
      cassandra,
      // The index jobs connect to PostgreSQL in newer charts; the chart's default host
      // `postgresql` only exists in a demo.
      ...(wireHas(context.versions, 'indexJobsUsePostgresql')
        ? { postgresql: { host: hosts.postgresql } }
        : {}),
    },
    brig: {
      config: {
        cassandra,
        elasticsearch: { host: hosts.elasticsearch },
        rabbitmq,
        postgresql,
        enableFederation: federation,
        externalUrls: {
          nginz: url.nginz,
          teamSettings: url.teams,
          teamCreatorWelcome: `${url.teams}/login`,
          // The link in a new team member's welcome e-mail: this installation's web client.
          teamMemberWelcome: `${url.webapp}/`,
        },
        optSettings: {
          // Cannot change after the first deploy (docs/wire/known-problems.md#the-federation-domain-cannot-change): the rules compare it with the last apply.
          setFederationDomain: federationDomain,
          setRestrictUserCreation: wire.features.restrictUserCreation,
          // Without SFT there is no conference server to name: Wire's example URL would send
          // clients to sftd.example.com.
          setSftStaticUrl: wire.calling.sft.enabled
            ? `${url.sftd}:443`
            : removed('SFT is off: no conference calling server to announce'),
        },
        emailSMS: {
          general: {
            emailSender: wire.smtp.sender,
            // Wire's example says insert-sms-sender-for-twilio: there is no SMS provider here.
            smsSender: removed('wire-install configures no SMS provider (Twilio)'),
          },
          user: accountUrls(emailUser, url.account),
        },
        smtp,
      },
      ...(turns.length > 0 ? { turnStatic: { v1: [], v2: turns } } : {}),
    },
    cannon: { config: { cassandra, rabbitmq: { host: hosts.rabbitmq } } },
    cargohold: {
      config: {
        aws: { s3Endpoint: hosts.s3, s3DownloadEndpoint: url.assets },
        enableFederation: federation,
        settings: { federationDomain },
      },
    },
    galley: {
      config: {
        cassandra,
        // galley talks to RabbitMQ only with federation (its chart renders the connection then);
        // without, Wire's example host would only mislead a reader of the values.
        rabbitmq: federation
          ? { host: hosts.rabbitmq }
          : removed('galley uses RabbitMQ only with federation'),
        postgresql,
        postgresMigration: migration,
        enableFederation: federation,
        settings: {
          conversationCodeURI: `${url.account}/conversation-join/`,
          federationDomain,
          featureFlags: {
            sso: featureFlag(wire.features.sso, 'enabled-by-default', 'disabled-by-default'),
            // Teams may turn legal hold on and connect their own legal hold service.
            legalhold: featureFlag(wire.features.legalhold, 'disabled-by-default', 'disabled-permanently'),
            mls: { defaults: { status: featureFlag(wire.features.mls, 'enabled', 'disabled') } },
            teamSearchVisibility: featureFlag(
              wire.features.teamSearchVisibility,
              'enabled-by-default',
              'disabled-by-default',
            ),
          },
        },
      },
    },
    gundeck: {
      config: {
        cassandra,
        rabbitmq: { host: hosts.rabbitmq },
        // The Service the deployed redis chart creates (checked against Wire's charts).
        redis: { host: redisHostFor(inventory.mode) },
      },
    },
    nginz: {
      nginx_conf: {
        external_env_domain: domain,
        deeplink: {
          endpoints: {
            backendURL: url.nginz,
            backendWSURL: url.websocket,
            teamsURL: url.teams,
            accountsURL: url.account,
          },
        },
      },
    },
    spar: {
      config: {
        cassandra,
        // Read by no spar chart wire-install has met (5.28, develop): spar takes its domain
        // from brig. Wire's example leaves example.com there.
        domain: removed('spar does not read it'),
        appUri: url.nginz,
        ssoUri: `${url.nginz}/sso`,
        // The contact an identity provider shows in spar's SAML metadata (the chart requires
        // one); wire-install knows no person, so it names the installation.
        contacts: [{ type: 'ContactSupport', company: domain }],
      },
    },
    'background-worker': {
      config: {
        federationDomain,
        cassandra,
        cassandraGalley: cassandra,
        cassandraBrig: cassandra,
        rabbitmq: { host: hosts.rabbitmq },
        postgresql,
        // The same as galley's: background-worker runs the migrations galley's state names (docs/wire/upgrades.md#version-notes).
        postgresMigration: { ...migration },
        enableFederation: federation,
      },
    },
  };
}

/** The proxy's HOCON block with placeholder keys (youtube, googlemaps, soundcloud, giphy, spotify). */
const PROXY_CONFIG = [
  'secrets {',
  '  youtube    = "none"',
  '  googlemaps = "none"',
  '  soundcloud = "none"',
  '  giphy      = "none"',
  '  spotify    = "Basic none"',
  '}',
].join('\n');

/**
 * nginz's basic-auth line, `user:` and the password's SHA-512 crypt hash (what nginx's
 * auth_basic_user_file reads). Only Wire's staging environment protects endpoints with it,
 * but the chart base64-encodes it unconditionally and fails without one.
 */
export function nginzBasicAuth(secrets: ValuesContext['secrets']): string {
  const { username, password } = secrets.nginzBasicAuth;
  return `${username}:${sha512Crypt(password, derivedSalt(username))}`;
}

/** The credentials file brig and the index jobs log in to Elasticsearch with (`elastic` is Elasticsearch's built-in user). */
function elasticsearchCredentials(secrets: ValuesContext['secrets']) {
  return { username: 'elastic', password: secrets.elasticsearch.password };
}

/**
 * wire-server's secrets, over Wire's prod- or demo-secrets.example.yaml: every placeholder of
 * the example replaced from secrets.yaml, or removed with the reason.
 */
export function wireServerSecrets(context: ValuesContext): Tree {
  const { secrets, inventory } = context;
  const demo = inventory.mode === 'demo';
  const federation = inventory.wire.federation.enabled;
  const rabbitmq = { username: secrets.rabbitmq.username, password: secrets.rabbitmq.password };
  const pgPassword = secrets.postgresql.password;
  // fake-aws SQS/SNS take any syntactically valid key (docs/wire/charts-values-secrets.md#secrets); cargohold gets MinIO's cargohold user.
  const fakeAws = { awsKeyId: 'dummykey', awsSecretKey: 'dummysecret' };
  const smtpPassword =
    inventory.wire.smtp.mode === 'relay' && secrets.smtp ? secrets.smtp.password : 'dummyPassword';
  const elasticsearch = elasticsearchCredentials(secrets);
  return {
    brig: {
      secrets: {
        zAuth: { privateKeys: secrets.zauth.secretKey, publicKeys: secrets.zauth.publicKey },
        turn: { secret: secrets.turnSecret },
        smtpPassword,
        ...fakeAws,
        rabbitmq,
        pgPassword,
        // The demo's in-cluster Elasticsearch runs with security on; the one on the database
        // hosts does not ask.
        elasticsearch: demo ? elasticsearch : removed('Elasticsearch on the database hosts has no login'),
        elasticsearchAdditional: removed('wire-install installs no second Elasticsearch index'),
      },
    },
    nginz: {
      secrets: { zAuth: { publicKeys: secrets.zauth.publicKey }, basicAuth: nginzBasicAuth(secrets) },
    },
    cannon: { secrets: { rabbitmq } },
    cargohold: {
      secrets: {
        awsKeyId: secrets.minio.cargoholdAccessKey,
        awsSecretKey: secrets.minio.cargoholdSecretKey,
        // Read by no cargohold chart wire-install has met (5.28, develop); Wire's example has guest/guest.
        rabbitmq: removed('cargohold does not read a RabbitMQ login'),
      },
    },
    galley: {
      secrets: {
        ...fakeAws,
        // galley reads its RabbitMQ login only with federation.
        rabbitmq: federation ? rabbitmq : removed('galley uses RabbitMQ only with federation'),
        pgPassword,
        // Needed since 5.25 even with MLS off, all four (docs/wire/charts-values-secrets.md#secrets).
        mlsPrivateKeys: { removal: { ...secrets.mlsRemovalKeys } },
      },
    },
    gundeck: { secrets: { ...fakeAws, rabbitmq } },
    'background-worker': { secrets: { rabbitmq, pgPassword } },
    // The index jobs mount their secret (pgPassword too) only when Elasticsearch credentials
    // are given: without them the migrate-data job is told to read a password file that is
    // never mounted. The Elasticsearch on the database hosts ignores the login.
    'elasticsearch-index': {
      secrets: {
        ...(wireHas(context.versions, 'indexJobsUsePostgresql') ? { pgPassword } : {}),
        elasticsearch,
      },
    },
    // Required whenever the proxy is rendered; placeholders are enough without those services (docs/wire/charts-values-secrets.md#secrets).
    proxy:
      at(context.example, 'tags.proxy') === true
        ? { secrets: { proxy_config: PROXY_CONFIG } }
        : removed('the proxy is off (tags.proxy: false); its API keys are placeholders'),
  };
}

export function wireServer(context: ValuesContext): ChartOverlay {
  return { values: wireServerValues(context), secrets: wireServerSecrets(context) };
}
