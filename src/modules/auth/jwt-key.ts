import { createSecretKey } from 'node:crypto';

/**
 * The HS256 key as a KeyObject. Given a string, jsonwebtoken first tries to parse it as a public
 * key (which throws) and only then makes a secret key of it — on every sign and every verify: a
 * millisecond of CPU per request. The libraries' types say string | Buffer; they pass it through
 * to jsonwebtoken, which takes a KeyObject as it is.
 */
export function jwtKey(secret: string): Buffer {
  return createSecretKey(Buffer.from(secret, 'utf8')) as unknown as Buffer;
}
