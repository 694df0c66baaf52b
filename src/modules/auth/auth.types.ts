export const PLATFORMS = ['android', 'ios', 'windows', 'macos', 'linux', 'web', 'cli', 'other'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const ROLES = ['user', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: string;
  email: string;
  passwordHash: string;
  role: Role;
  disabled: boolean;
  quotaBytes: number;
  createdAt: Date;
}

export interface Device {
  id: string;
  userId: string;
  name: string;
  platform: Platform;
  createdAt: Date;
  lastSeenAt: Date;
  revokedAt: Date | null;
  revokeReason: string | null;
  fcmToken: string | null;
}

/** Who is calling: set on the request by the auth guard. */
export interface AuthContext {
  userId: string;
  deviceId: string;
  role: Role;
}
