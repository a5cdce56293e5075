import { hostsWithRole, type Inventory } from '../../inventory/defaults.js';
import { type ChartOverlay, publicAddress, serviceHosts, type ValuesContext, wireUrls } from './context.js';
import { redisHostFor } from './redis.js';
import { at, type Tree } from './tree.js';

/**
 * wire-server's values over Wire's prod- or demo-values.example.yaml (FACTS 5.3) and its
 * secrets (FACTS 5.4). Everything the inventory decides is set here; the rest (resources,
 * images, Wire's feature defaults) stays as the bundle's example has it.
 */

/** Where the PostgreSQL migration of each data kind stands (FACTS 7: 5.24-5.27). */
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

/** brig's e-mail links, all on account.<domain> (FACTS 5.3). */
function accountUrls(example: unknown, origin: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(ACCOUNT_PATHS).map(([key, path]) => [key, rehost(at(example, key), origin, path)]),
  );
}

/** TURN URIs clients get from brig: every coturn node's public address, UDP and TCP on 3478 (FACTS 5.3, 8.2). */
export function turnUris(inventory: Inventory): string[] {
  return hostsWithRole(inventory, 'coturn').flatMap((host) => [
    `turn:${publicAddress(host)}:3478`,
    `turn:${publicAddress(host)}:3478?transport=tcp`,
  ]);
}

/**
 * The migration state of each data kind: the example's when it names one, else `postgresql`
 * (a new 5.32 install starts on PostgreSQL). Always written out: the chart defaults changed
 * between releases and once made conversations disappear (FACTS 7 at 5.25, 9.14).
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
      // Must be explicit from 5.30 on (FACTS 5.3); off unless the bundle's example turns it on.
      proxy: typeof proxy === 'boolean' ? proxy : false,
      legalhold: wire.features.legalhold,
      federation,
    },
    'cassandra-migrations': {
      cassandra: { host: hosts.cassandra, replicationFactor: replicationFactor(inventory) },
    },
    'elasticsearch-index': {
      elasticsearch: { host: hosts.elasticsearch },
      cassandra,
      // brig-index needs PostgreSQL since 5.26; the chart's default host `postgresql` only exists in a demo (FACTS 11.10).
      postgresql: { host: hosts.postgresql },
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
        },
        optSettings: {
          // Cannot change after the first deploy (FACTS 11.13): the rules compare it with the last apply.
          setFederationDomain: federationDomain,
          setRestrictUserCreation: wire.features.restrictUserCreation,
          ...(wire.calling.sft.enabled ? { setSftStaticUrl: `${url.sftd}:443` } : {}),
        },
        emailSMS: {
          general: { emailSender: wire.smtp.sender },
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
        rabbitmq: { host: hosts.rabbitmq },
        postgresql,
        postgresMigration: migration,
        enableFederation: federation,
        settings: {
          conversationCodeURI: `${url.account}/conversation-join/`,
          federationDomain,
          featureFlags: {
            sso: featureFlag(wire.features.sso, 'enabled-by-default', 'disabled-by-default'),
            legalhold: featureFlag(wire.features.legalhold, 'disabled-by-default', 'disabled-permanently'),
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
        // The service the deployed redis chart creates (FACTS 11.5), not the example's.
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
        domain: federationDomain,
        appUri: url.nginz,
        ssoUri: `${url.nginz}/sso`,
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
        // The same as galley's: background-worker runs the migrations galley's state names (FACTS 7).
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

/** wire-server's secrets.yaml (FACTS 5.4); every key from secrets.yaml, nothing generated here. */
export function wireServerSecrets(context: ValuesContext): Tree {
  const { secrets, inventory } = context;
  const rabbitmq = { username: secrets.rabbitmq.username, password: secrets.rabbitmq.password };
  const pgPassword = secrets.postgresql.password;
  // fake-aws SQS/SNS take any syntactically valid key (FACTS 5.4); cargohold gets MinIO's cargohold user.
  const fakeAws = { awsKeyId: 'dummykey', awsSecretKey: 'dummysecret' };
  const smtpPassword =
    inventory.wire.smtp.mode === 'relay' && secrets.smtp ? secrets.smtp.password : 'dummyPassword';
  return {
    brig: {
      secrets: {
        zAuth: { privateKeys: secrets.zauth.secretKey, publicKeys: secrets.zauth.publicKey },
        turn: { secret: secrets.turnSecret },
        smtpPassword,
        ...fakeAws,
        rabbitmq,
        pgPassword,
      },
    },
    nginz: { secrets: { zAuth: { publicKeys: secrets.zauth.publicKey } } },
    cannon: { secrets: { rabbitmq, nginz: { zAuth: { publicKeys: secrets.zauth.publicKey } } } },
    cargohold: {
      secrets: {
        awsKeyId: secrets.minio.cargoholdAccessKey,
        awsSecretKey: secrets.minio.cargoholdSecretKey,
        rabbitmq,
      },
    },
    galley: {
      secrets: {
        ...fakeAws,
        rabbitmq,
        pgPassword,
        // Needed since 5.25 even with MLS off, all four (FACTS 5.4).
        mlsPrivateKeys: { removal: { ...secrets.mlsRemovalKeys } },
      },
    },
    gundeck: { secrets: { ...fakeAws, rabbitmq } },
    'background-worker': { secrets: { rabbitmq, pgPassword } },
    'elasticsearch-index': { secrets: { pgPassword } },
    // Required whenever the proxy is rendered; placeholders are enough without those services (FACTS 5.4).
    ...(at(context.example, 'tags.proxy') === true
      ? { proxy: { secrets: { proxy_config: PROXY_CONFIG } } }
      : {}),
  };
}

export function wireServer(context: ValuesContext): ChartOverlay {
  return { values: wireServerValues(context), secrets: wireServerSecrets(context) };
}
