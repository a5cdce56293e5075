/**
 * What the bundle's mc (RELEASE.2023-10-24T05-18-28Z) prints with --json for the commands
 * wire-install runs, written from mc's source at that tag (cmd/ls.go contentMessage,
 * cmd/anonymous-main.go anonymousMessage, cmd/admin-user-add.go userMessage, printed by
 * admin-user-list.go, cmd/admin-policy-create.go userPolicyMessage, printed by
 * admin-policy-info.go, cmd/admin-info.go clusterStruct) and madmin-go v3.0.21, which that mc
 * uses (InfoMessage, ServerProperties, Disk, PolicyInfo): field names and order as the Go
 * structs' json tags give them, one record per line (mc compacts its indented JSON when stdout
 * is not a terminal, cmd/print.go), empty omitempty fields left out. The values are examples;
 * admin info is abridged to what wire-install reads plus a few neighbours.
 * Not captured from a running mc. docs/wire/deployment-sources.md#minio-and-mc
 */

/** `mc ls --json wire`: one line per bucket. */
export const MC_LS = (buckets: readonly string[]) =>
  buckets
    .map((bucket) =>
      JSON.stringify({
        status: 'success',
        type: 'folder',
        lastModified: '2026-06-24T10:00:00Z',
        size: 0,
        key: `${bucket}/`,
        etag: '',
        url: 'http://192.168.122.31:9000',
        versionOrdinal: 1,
      }),
    )
    .join('\n');

/** `mc anonymous get --json wire/public`; the bucket policy comes along when there is one. */
export const MC_ANONYMOUS_GET = (permission: string) =>
  JSON.stringify({
    operation: 'get',
    status: 'success',
    bucket: 'wire/public',
    permission,
    ...(permission === 'private'
      ? {}
      : {
          anonymous: {
            Statement: [
              {
                Action: ['s3:GetBucketLocation', 's3:ListBucket'],
                Effect: 'Allow',
                Principal: { AWS: ['*'] },
                Resource: ['arn:aws:s3:::public'],
              },
              {
                Action: ['s3:GetObject'],
                Effect: 'Allow',
                Principal: { AWS: ['*'] },
                Resource: ['arn:aws:s3:::public/*'],
              },
            ],
            Version: '2012-10-17',
          },
        }),
  });

/** `mc admin user list --json wire`: one line per user; policyName only when one is attached. */
export const MC_ADMIN_USER_LIST = (users: readonly { accessKey: string; policyName?: string }[]) =>
  users
    .map(({ accessKey, policyName }) =>
      JSON.stringify({
        status: 'success',
        accessKey,
        ...(policyName ? { policyName } : {}),
        userStatus: 'enabled',
      }),
    )
    .join('\n');

/** `mc admin policy info wire NAME --json`: the policy as the server keeps it. */
export const MC_ADMIN_POLICY_INFO = (name: string, policy: unknown) =>
  JSON.stringify({
    status: 'success',
    policy: name,
    policyInfo: {
      PolicyName: name,
      Policy: policy,
      CreateDate: '2026-06-24T10:00:00Z',
      UpdateDate: '2026-06-24T10:00:00Z',
    },
    isGroup: false,
  });

/**
 * `mc admin info --json wire` (abridged): a server per MinIO instance, named host:port as in
 * MINIO_VOLUMES, "online" (or "offline"/"initializing"), its drives "ok" (or "offline", ...).
 */
export const MC_ADMIN_INFO = (servers: readonly { endpoint: string; state: string; drive: string }[]) =>
  JSON.stringify({
    status: 'success',
    info: {
      mode: 'online',
      deploymentID: '6f1b9a4e-0000-4000-8000-000000000000',
      buckets: { count: 4 },
      objects: { count: 0 },
      servers: servers.map(({ endpoint, state, drive }) => ({
        state,
        endpoint,
        scheme: 'http',
        uptime: 3600,
        version: '2023-07-07T07:13:57Z',
        network: Object.fromEntries(servers.map((s) => [s.endpoint, s.state])),
        drives: [
          {
            endpoint: `http://${endpoint}${drive}`,
            path: drive,
            state: state === 'online' ? 'ok' : 'offline',
            major: 0,
            minor: 0,
          },
        ],
        poolNumber: 1,
        mem_stats: { Alloc: 0, TotalAlloc: 0, Mallocs: 0, Frees: 0, HeapAlloc: 0 },
      })),
    },
  });
