import { Injectable } from '@nestjs/common';
import type { User } from './auth.types.js';
import { UsersRepository } from './users.repository.js';

export type UserPatch = Partial<Pick<User, 'disabled' | 'quotaBytes' | 'role'>>;

/** Accounts as other modules see them (admin, the writer's quota check). */
@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  find(id: string): Promise<User | null> {
    return this.users.findById(id);
  }

  /** Users by email order, optionally whose email contains `search`, after the email `after`. */
  list(search: string | undefined, after: string | undefined, limit: number): Promise<User[]> {
    return this.users.list(search, after, limit);
  }

  count(): Promise<number> {
    return this.users.count();
  }

  update(id: string, patch: UserPatch): Promise<void> {
    return this.users.update(id, patch);
  }

  /** The account's quota in bytes; 0 means none (and so does an account that is gone). */
  async quotaOf(id: string): Promise<number> {
    return (await this.users.findById(id))?.quotaBytes ?? 0;
  }
}
