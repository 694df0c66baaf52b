import { Injectable } from '@nestjs/common';
import { rootNamespaceOf } from '../../domain/namespace.js';
import { AuthErrors } from './auth.errors.js';
import type { Session } from './auth.service.js';
import type { AuthContext, User } from './auth.types.js';
import type { SessionDto, UserDto } from './dto/auth.dto.js';
import { UsersRepository } from './users.repository.js';

export function toUserDto(u: User): UserDto {
  return { id: u.id, email: u.email, role: u.role, rootNamespaceId: rootNamespaceOf(u.id), quotaBytes: u.quotaBytes, createdAt: u.createdAt };
}

@Injectable()
export class MeService {
  constructor(private readonly users: UsersRepository) {}

  async get(auth: AuthContext): Promise<UserDto> {
    const u = await this.users.findById(auth.userId);
    if (!u) throw AuthErrors.tokenInvalid();
    return toUserDto(u);
  }

  session(s: Session): SessionDto {
    return { user: toUserDto(s.user), deviceId: s.deviceId, tokens: { tokenType: 'Bearer', ...s.tokens } };
  }
}
