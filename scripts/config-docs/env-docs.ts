/**
 * What each environment variable means, for docs/configuration.md. Which variables exist is not decided here:
 * the generator reads them from the zod environment schema and the other readers in src/config, and fails when
 * one of them has no entry below (or an entry names a variable nothing reads).
 */
export interface EnvDoc {
  default: string;
  meaning: string;
  /** Several variables that go together share one row; the others list the first here. */
  group?: string;
}

export const ENV_DOCS: Record<string, EnvDoc> = {
  SLACK_BOT_TOKEN: {
    default: 'unset',
    meaning:
      "Bot and `npm start`: the Bot User OAuth Token (`xoxb-...`) from the Slack app's OAuth & Permissions page. A secret.",
  },
  SLACK_APP_TOKEN: {
    default: 'unset',
    meaning:
      'An app-level token (`xapp-...`, scope `connections:write`): set, the bot uses Socket Mode and needs no public URL. A secret.',
  },
  SLACK_SIGNING_SECRET: {
    default: 'unset',
    meaning:
      'HTTP mode instead of Socket Mode: every request to `/slack/events` on `PORT` is verified with it. Exactly one of this and `SLACK_APP_TOKEN`. A secret.',
  },
  SLACK_API_URL: {
    default: 'Slack itself',
    meaning: 'Base URL of the Slack Web API; only for tests against a stand-in Slack.',
  },
  PORT: {
    default: '`3000`',
    meaning:
      'Bot and `npm start`: the HTTP port of `/slack/events` (HTTP mode), `/healthz`, `/readyz`, `/metrics`, `/admin/queues` and the local download links.',
  },
  REDIS_URL: {
    default: '`redis://127.0.0.1:6379`',
    meaning:
      'Redis of the build queues: a `redis://` or `rediss://` (TLS) URL, may carry `user:password@`. Unset, `npm start` runs its own `redis-server`, and the `bootc-iso` command uses the one named in `DATA_DIR/client.json` by a running `npm start`.',
  },
  REDIS_SENTINELS: {
    default: 'unset',
    meaning:
      '`host:port,host:port` of Redis Sentinels (port defaults to 26379): Redis is then found through them; `REDIS_URL` only gives password, database and TLS.',
  },
  REDIS_SENTINEL_NAME: {
    default: '`mymaster`',
    meaning: 'The master group the sentinels monitor. Only with `REDIS_SENTINELS`.',
  },
  REDIS_SENTINEL_PASSWORD: {
    default: 'unset',
    meaning: "Password of the sentinels themselves (the master's comes from `REDIS_URL`). A secret.",
  },
  S3_BUCKET: {
    default: 'unset',
    meaning:
      'Bucket for the finished ISOs. **Setting it turns S3 on**; while it is unset, any other `S3_*` variable is an error (it would be ignored). Without it, ISOs stay in `ARTIFACT_DIR`.',
  },
  S3_ENDPOINT: {
    default: 'unset (AWS)',
    meaning:
      '`http(s)://` URL of an S3-compatible store (Garage, Ceph RGW, SeaweedFS, ...). No credentials, query or fragment.',
  },
  S3_REGION: {
    default: '`us-east-1`',
    meaning: 'Region name; self-hosted stores take the one they are configured with.',
  },
  S3_ACCESS_KEY_ID: {
    default: 'unset',
    meaning:
      'Set **both or neither** with `S3_SECRET_ACCESS_KEY`. Neither means the AWS SDK default credential chain; links signed with temporary credentials die with them, so use long-lived keys for 7-day links.',
  },
  S3_SECRET_ACCESS_KEY: {
    default: 'unset',
    meaning: 'See `S3_ACCESS_KEY_ID`. A secret.',
    group: 'S3_ACCESS_KEY_ID',
  },
  S3_FORCE_PATH_STYLE: {
    default: '`false`',
    meaning: '`true`/`false` (also `1`/`0`, `yes`/`no`). Self-hosted stores usually need `true`.',
  },
  S3_PUBLIC_ENDPOINT: {
    default: '`S3_ENDPOINT`',
    meaning:
      'The `http(s)://` address people download from, when it differs from the one workers upload to (a public name in front of an internal store). Links are signed for this host.',
  },
  LINK_TTL_SECONDS: {
    default: '`604800` (7 days)',
    meaning: 'Lifetime of download links, 60 to 604800 (the S3 presigned-URL maximum).',
  },
  BOOTC_ISO_CONFIG: {
    default: 'searched',
    meaning:
      'The YAML file, relative to the working directory. Unset: `config/bootc-iso.yaml`, then `/etc/bootc-iso/config.yaml`, else built-in defaults. Set to a missing file, start-up fails. `bootc-iso --config-file` wins over it.',
  },
  LOG_LEVEL: {
    default: '`info`',
    meaning: '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`. Logs are JSON lines.',
  },
  WORKER_NAME: {
    default: 'the host name',
    meaning:
      "This build host's name in logs, container labels and `bootc-iso workers`: letters, digits, `.`, `_`, `-` (up to 128).",
  },
  METRICS_HOST: {
    default: '`127.0.0.1`',
    meaning:
      'Where a build worker serves `/metrics`, `/healthz` and `/readyz`, with `METRICS_PORT` (default `9464`; `off` turns it off, `0` picks a free port). The bot serves them on `PORT`.',
  },
  METRICS_PORT: { default: '`9464`', meaning: 'See `METRICS_HOST`.', group: 'METRICS_HOST' },
  ADMIN_USER: {
    default: 'unset',
    meaning:
      'Bot only: set both with `ADMIN_PASSWORD` (at least 12 characters, a secret) for the read-only queue dashboard at `/admin/queues` behind HTTP basic auth.',
  },
  ADMIN_PASSWORD: { default: 'unset', meaning: 'See `ADMIN_USER`.', group: 'ADMIN_USER' },
  DATA_DIR: {
    default: '`data`',
    meaning:
      "Single host: the embedded Redis's data (`redis/`), the generated link-signing key, the local artifacts and `client.json` (where `npm start` runs Redis, mode 0600). Relative to the working directory.",
  },
  ARTIFACT_DIR: {
    default: '`DATA_DIR/artifacts`',
    meaning:
      'Where ISOs, logs and manifests are kept when `S3_BUCKET` is unset. `npm start` uses it by default; `npm run bot`/`worker` only when set. Not together with `S3_BUCKET`.',
  },
  PUBLIC_URL: {
    default: '`http://localhost:PORT`',
    meaning:
      "Base of the local download links (`PUBLIC_URL/downloads/...`): the `http(s)://` address people reach the bot's `PORT` at, possibly through a reverse proxy.",
  },
  LINK_SIGNING_KEY: {
    default: 'generated',
    meaning:
      'Key of the local download links (at least 32 characters, e.g. `openssl rand -hex 32`); a secret. Unset, one is generated into `DATA_DIR/link-signing.key` (mode 0600). Changing it invalidates every link.',
  },
};
