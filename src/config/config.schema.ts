import { z } from 'zod';

// Every setting pocketCloud reads, with its default. `.env.example` documents each one;
// a test checks that the two lists agree.

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) =>
  z
    .string()
    .regex(/^-?\d+$/, { error: 'expected an integer' })
    .transform(Number)
    .pipe(z.number().int().min(min, { error: `expected at least ${min}` }).max(max, { error: `expected at most ${max}` }));

const nonEmpty = z.string().trim().min(1, { error: 'must not be empty' });

const GiB = 1024 ** 3;

export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: nonEmpty.default('127.0.0.1'),
    PORT: int(0, 65535).default(8080),
    DATA_DIR: nonEmpty.default('./data'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    TRUST_PROXY: bool.default(false),
    JSON_BODY_LIMIT_KB: int(1, 65_536).default(8192),
    JSON_MAX_DEPTH: int(4, 512).default(64),

    MONGODB_URI: z
      .string()
      .trim()
      .regex(/^mongodb(\+srv)?:\/\//, { error: 'expected a mongodb:// or mongodb+srv:// URI' })
      .optional(),
    MONGODB_DB: z
      .string()
      .regex(/^[a-zA-Z0-9_-]{1,63}$/, { error: 'expected 1-63 characters of a-z, A-Z, 0-9, _ or -' })
      .default('pocketcloud'),
    FERRETDB_PORT: int(0, 65535).default(0),
    FERRETDB_BINARY: nonEmpty.optional(),

    BLOB_STORE: z.enum(['fs', 's3']).default('fs'),
    BLOB_FS_DIR: nonEmpty.optional(),
    S3_ENDPOINT: z.url({ error: 'expected a URL such as http://127.0.0.1:9000' }).optional(),
    S3_REGION: nonEmpty.default('us-east-1'),
    S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { error: 'expected a valid S3 bucket name' })
      .optional(),
    S3_ACCESS_KEY_ID: nonEmpty.optional(),
    S3_SECRET_ACCESS_KEY: nonEmpty.optional(),
    S3_FORCE_PATH_STYLE: bool.default(true),
    S3_PREFIX: z.string().default('blocks/'),
    S3_CREATE_BUCKET: bool.default(true),

    JWT_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }).optional(),
    ACCESS_TOKEN_TTL_SECONDS: int(30, 86_400).default(900),
    REFRESH_TOKEN_TTL_DAYS: int(1, 3650).default(60),
    REFRESH_REUSE_GRACE_SECONDS: int(0, 300).default(10),
    AUTH_RATE_LIMIT_PER_MINUTE: int(1, 100_000).default(10),
    MAX_DEVICES_PER_USER: int(1, 100_000).default(100),
    TREE_MODEL_MAX_NODES: int(0, 100_000_000).default(500_000),
    DELTA_RELIST_AFTER_ENTRIES: int(0, 1_000_000_000).default(10_000),
    REGISTRATION_OPEN: bool.default(true),
    ADMIN_EMAILS: z
      .string()
      .default('')
      .transform((v) => v.split(',').map((e) => e.trim().toLowerCase()).filter(Boolean)),
    DEFAULT_QUOTA_BYTES: int(0, Number.MAX_SAFE_INTEGER).default(10 * GiB),

    MQTT_TCP_ENABLED: bool.default(true),
    MQTT_TCP_HOST: nonEmpty.optional(),
    MQTT_TCP_PORT: int(0, 65535).default(1884),
    MQTT_WS_ENABLED: bool.default(true),
    MQTT_MAX_CONNECTIONS: int(1, 1_000_000).default(20_000),
    MQTT_CONNECTS_PER_IP_PER_MINUTE: int(1, 1_000_000).default(120),
    MQTT_MAX_CONNECTIONS_PER_USER: int(1, 100_000).default(20),
    MQTT_MAX_PACKET_BYTES: int(64, 1_048_576).default(8192),
    MQTT_CONNECT_TIMEOUT_MS: int(100, 120_000).default(10_000),
    MQTT_KEEPALIVE_LIMIT_SECONDS: int(10, 65_535).default(1200),
    MQTT_DRAIN_TIMEOUT_MS: int(100, 600_000).default(5000),
    POKE_COALESCE_MS: int(0, 60_000).default(250),

    TRASH_RETENTION_DAYS: int(1, 36_500).default(90),
    REVISION_RETENTION_DAYS: int(1, 36_500).default(90),
    GC_GRACE_HOURS: int(1, 8760).default(24),
    GC_FENCE_SECONDS: int(0, 3600).default(60),
    RETENTION_INTERVAL_MINUTES: int(0, 10_080).default(60),

    FCM_CREDENTIALS_FILE: nonEmpty.optional(),
    FCM_ACK_TIMEOUT_MS: int(100, 3_600_000).default(15_000),
    FCM_TTL_SECONDS: int(0, 2_419_200).default(300),
    FCM_RETRY_BASE_MS: int(10, 600_000).default(1000),
  })
  .superRefine((env, ctx) => {
    if (env.BLOB_STORE === 's3') {
      for (const key of ['S3_BUCKET'] as const) {
        if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'required when BLOB_STORE=s3' });
      }
      if (Boolean(env.S3_ACCESS_KEY_ID) !== Boolean(env.S3_SECRET_ACCESS_KEY)) {
        ctx.addIssue({
          code: 'custom',
          path: [env.S3_ACCESS_KEY_ID ? 'S3_SECRET_ACCESS_KEY' : 'S3_ACCESS_KEY_ID'],
          message: 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY are set together or not at all',
        });
      }
    }
    if (env.NODE_ENV === 'production' && !env.JWT_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'required when NODE_ENV=production' });
    }
  });

export type Env = z.infer<typeof envSchema>;
export const ENV_KEYS = Object.keys(envSchema.shape) as (keyof Env)[];
