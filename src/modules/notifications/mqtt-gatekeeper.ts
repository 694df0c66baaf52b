import { Injectable, Logger } from '@nestjs/common';
import type { AuthenticateError } from 'aedes';
import { AppConfig } from '../../config/app-config.js';
import { SessionValidator } from '../auth/session-validator.js';
import { TokenService } from '../auth/token.service.js';
import type { MqttIdentity } from './mqtt-topics.js';

// MQTT CONNACK return codes (3.1.1).
const IDENTIFIER_REJECTED = 2;
const SERVER_UNAVAILABLE = 3;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

/** A refused CONNECT: Aedes answers with `returnCode` in the CONNACK. */
function refused(returnCode: number, message: string): AuthenticateError {
  return Object.assign<Error, { returnCode: number }>(new Error(message), { returnCode });
}

export interface MqttConnectAttempt {
  clientId: string;
  keepaliveSeconds: number;
  password: Readonly<Buffer | undefined>;
  /** How many of the user's other devices hold a connection here (for MQTT_MAX_CONNECTIONS_PER_USER). */
  otherDevicesConnected: (who: MqttIdentity) => number;
}

export interface MqttAdmission extends MqttIdentity {
  /** When the access token, and so the connection, ends (ms since the epoch). */
  expiresAt: number;
}

/**
 * Who may connect: clientId = a device id, password = an access token of that device, a
 * keepalive within MQTT_KEEPALIVE_LIMIT_SECONDS, a live device of an enabled account, and
 * fewer than MQTT_MAX_CONNECTIONS_PER_USER other devices of the account connected.
 */
@Injectable()
export class MqttGatekeeper {
  private readonly logger = new Logger('MqttBroker');

  constructor(
    private readonly config: AppConfig,
    private readonly tokens: TokenService,
    private readonly validator: SessionValidator,
  ) {}

  /** The identity of an admitted client; throws the CONNACK refusal otherwise. */
  async admit(attempt: MqttConnectAttempt): Promise<MqttAdmission> {
    const limit = this.config.mqtt.keepaliveLimitSeconds;
    if (attempt.keepaliveSeconds === 0 || attempt.keepaliveSeconds > limit) {
      throw refused(NOT_AUTHORIZED, `keepalive must be 1-${limit} s`);
    }
    const token = attempt.password?.toString('utf8');
    if (!token) throw refused(BAD_USERNAME_OR_PASSWORD, 'the password is the access token');
    let claims;
    try {
      claims = this.tokens.verifyAccess(token);
    } catch {
      throw refused(BAD_USERNAME_OR_PASSWORD, 'invalid or expired access token');
    }
    if (claims.did !== attempt.clientId) throw refused(IDENTIFIER_REJECTED, 'clientId must be the token’s device id');
    let who: MqttIdentity;
    try {
      const auth = await this.validator.validate(claims);
      who = { userId: auth.userId, deviceId: auth.deviceId };
    } catch {
      throw refused(NOT_AUTHORIZED, 'device revoked or account disabled');
    }
    // Another connection of the same device replaces the old one, so it does not count.
    const connected = attempt.otherDevicesConnected(who);
    if (connected >= this.config.mqtt.maxConnectionsPerUser) {
      this.logger.warn({ ...who, connected }, 'MQTT connection refused: per-user limit');
      throw refused(SERVER_UNAVAILABLE, `this account already has ${connected} MQTT connections`);
    }
    return { ...who, expiresAt: claims.exp * 1000 };
  }
}
