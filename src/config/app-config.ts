import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { envSchema, type Env } from './config.schema.js';

/** The validated, typed configuration. Built once at boot; nothing else reads `process.env`. */
export class AppConfig {
  readonly env: Env['NODE_ENV'];
  readonly http: { host: string; port: number; trustProxy: boolean; jsonBodyLimitBytes: number; jsonMaxDepth: number };
  readonly dataDir: string;
  readonly logLevel: Env['LOG_LEVEL'];
  readonly database:
    | { mode: 'external'; uri: string; dbName: string }
    | { mode: 'embedded'; dbName: string; port: number; binary: string | undefined; dataDir: string };
  readonly blobStore:
    | { kind: 'fs'; dir: string }
    | {
        kind: 's3';
        endpoint: string | undefined;
        region: string;
        bucket: string;
        credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
        forcePathStyle: boolean;
        prefix: string;
        createBucket: boolean;
      };
  readonly auth: {
    jwtSecret: string;
    jwtSecretGenerated: boolean;
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    refreshReuseGraceSeconds: number;
    rateLimitPerMinute: number;
    maxDevicesPerUser: number;
    registrationOpen: boolean;
    adminEmails: string[];
  };
  readonly quota: { defaultBytes: number };
  /** Nodes the in-memory tree models of recently used namespaces may hold together. */
  readonly treeModelMaxNodes: number;
  /** A delta read from a cursor more journal entries behind than this answers CURSOR_RESET (relist); 0 = never. */
  readonly deltaRelistAfterEntries: number;
  readonly mqtt: {
    tcp: { host: string; port: number } | null;
    webSocket: boolean;
    maxConnections: number;
    maxConnectionsPerUser: number;
    connectsPerIpPerMinute: number;
    maxPacketBytes: number;
    connectTimeoutMs: number;
    keepaliveLimitSeconds: number;
    drainTimeoutMs: number;
    pokeCoalesceMs: number;
  };
  readonly retention: {
    trashDays: number;
    revisionDays: number;
    gcGraceHours: number;
    gcFenceSeconds: number;
    intervalMinutes: number;
  };
  readonly fcm: { credentialsFile: string | undefined; ackTimeoutMs: number; ttlSeconds: number; retryBaseMs: number };

  constructor(e: Env, jwt: { secret: string; generated: boolean }) {
    this.env = e.NODE_ENV;
    this.http = { host: e.HOST, port: e.PORT, trustProxy: e.TRUST_PROXY, jsonBodyLimitBytes: e.JSON_BODY_LIMIT_KB * 1024, jsonMaxDepth: e.JSON_MAX_DEPTH };
    this.dataDir = path.resolve(e.DATA_DIR);
    this.logLevel = e.LOG_LEVEL;
    this.database = e.MONGODB_URI
      ? { mode: 'external', uri: e.MONGODB_URI, dbName: e.MONGODB_DB }
      : {
          mode: 'embedded',
          dbName: e.MONGODB_DB,
          port: e.FERRETDB_PORT,
          binary: e.FERRETDB_BINARY && path.resolve(e.FERRETDB_BINARY),
          dataDir: path.join(this.dataDir, 'ferretdb'),
        };
    this.blobStore =
      e.BLOB_STORE === 'fs'
        ? { kind: 'fs', dir: path.resolve(e.BLOB_FS_DIR ?? path.join(this.dataDir, 'blobs')) }
        : {
            kind: 's3',
            endpoint: e.S3_ENDPOINT,
            region: e.S3_REGION,
            bucket: e.S3_BUCKET!,
            credentials:
              e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
                ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY }
                : undefined,
            forcePathStyle: e.S3_FORCE_PATH_STYLE,
            prefix: e.S3_PREFIX,
            createBucket: e.S3_CREATE_BUCKET,
          };
    this.auth = {
      jwtSecret: jwt.secret,
      jwtSecretGenerated: jwt.generated,
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_DAYS * 86_400,
      refreshReuseGraceSeconds: e.REFRESH_REUSE_GRACE_SECONDS,
      rateLimitPerMinute: e.AUTH_RATE_LIMIT_PER_MINUTE,
      maxDevicesPerUser: e.MAX_DEVICES_PER_USER,
      registrationOpen: e.REGISTRATION_OPEN,
      adminEmails: e.ADMIN_EMAILS,
    };
    this.quota = { defaultBytes: e.DEFAULT_QUOTA_BYTES };
    this.treeModelMaxNodes = e.TREE_MODEL_MAX_NODES;
    this.deltaRelistAfterEntries = e.DELTA_RELIST_AFTER_ENTRIES;
    this.mqtt = {
      tcp: e.MQTT_TCP_ENABLED ? { host: e.MQTT_TCP_HOST ?? e.HOST, port: e.MQTT_TCP_PORT } : null,
      webSocket: e.MQTT_WS_ENABLED,
      maxConnections: e.MQTT_MAX_CONNECTIONS,
      maxConnectionsPerUser: e.MQTT_MAX_CONNECTIONS_PER_USER,
      connectsPerIpPerMinute: e.MQTT_CONNECTS_PER_IP_PER_MINUTE,
      maxPacketBytes: e.MQTT_MAX_PACKET_BYTES,
      connectTimeoutMs: e.MQTT_CONNECT_TIMEOUT_MS,
      keepaliveLimitSeconds: e.MQTT_KEEPALIVE_LIMIT_SECONDS,
      drainTimeoutMs: e.MQTT_DRAIN_TIMEOUT_MS,
      pokeCoalesceMs: e.POKE_COALESCE_MS,
    };
    this.retention = {
      trashDays: e.TRASH_RETENTION_DAYS,
      revisionDays: e.REVISION_RETENTION_DAYS,
      gcGraceHours: e.GC_GRACE_HOURS,
      gcFenceSeconds: e.GC_FENCE_SECONDS,
      intervalMinutes: e.RETENTION_INTERVAL_MINUTES,
    };
    this.fcm = {
      credentialsFile: e.FCM_CREDENTIALS_FILE && path.resolve(e.FCM_CREDENTIALS_FILE),
      ackTimeoutMs: e.FCM_ACK_TIMEOUT_MS,
      ttlSeconds: e.FCM_TTL_SECONDS,
      retryBaseMs: e.FCM_RETRY_BASE_MS,
    };
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid environment variables:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses and validates an environment. Throws ConfigError naming every bad variable. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  // Empty strings count as unset, as in most .env tooling.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => {
        const key = i.path.join('.');
        // Echo the bad value so the fix is obvious, except for secrets.
        const got = key in cleaned && !/SECRET|URI/.test(key) ? ` (got "${cleaned[key]}")` : '';
        return `${key}: ${i.message}${got}`;
      }),
    );
  }
  return result.data;
}

/**
 * Reads the JWT secret from config, or — for the zero-setup quick start — from a file under
 * DATA_DIR, generating it on first boot so tokens survive restarts.
 */
function resolveJwtSecret(env: Env): { secret: string; generated: boolean } {
  if (env.JWT_SECRET) return { secret: env.JWT_SECRET, generated: false };
  const file = path.join(path.resolve(env.DATA_DIR), 'secrets', 'jwt-secret');
  if (existsSync(file)) return { secret: readFileSync(file, 'utf8').trim(), generated: true };
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  return { secret, generated: true };
}

export function loadConfig(source: Record<string, string | undefined> = readProcessEnv()): AppConfig {
  const env = parseEnv(source);
  return new AppConfig(env, resolveJwtSecret(env));
}

/** The one place that touches process.env (and an optional ./.env file). */
export function readProcessEnv(): Record<string, string | undefined> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  return { ...process.env };
}
