import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import { isDuplicateKeyError } from '../../infra/database/mongo-errors.js';
import { AuthErrors } from './auth.errors.js';
import type { Role, User } from './auth.types.js';
import { USER_MODEL, type UserDoc } from './schemas/user.schema.js';

function toUser(d: UserDoc): User {
  return {
    id: d._id,
    email: d.email,
    passwordHash: d.passwordHash,
    role: d.role,
    disabled: d.disabled,
    quotaBytes: d.quotaBytes,
    createdAt: d.createdAt,
  };
}

@Injectable()
export class UsersRepository implements OnModuleInit {
  constructor(@InjectModel(USER_MODEL) private readonly model: Model<UserDoc>) {}

  async onModuleInit(): Promise<void> {
    await this.model.init(); // the unique email index must exist before the first insert
  }

  async insert(user: User): Promise<User> {
    try {
      await this.model.create({ ...user, _id: user.id });
      return user;
    } catch (err) {
      if (isDuplicateKeyError(err)) throw AuthErrors.emailTaken();
      throw err;
    }
  }

  async findById(id: string): Promise<User | null> {
    const d = await this.model.findById(id).lean<UserDoc>().exec();
    return d ? toUser(d) : null;
  }

  async findByEmail(email: string): Promise<User | null> {
    const d = await this.model.findOne({ email }).lean<UserDoc>().exec();
    return d ? toUser(d) : null;
  }

  /** Users by email order, optionally whose email contains `search`, after the email `after`. */
  async list(search: string | undefined, after: string | undefined, limit: number): Promise<User[]> {
    const q: Record<string, unknown> = {};
    if (search) q.email = { $regex: escapeRegex(search.toLowerCase()) };
    if (after) q.email = { ...(q.email as object | undefined), $gt: after };
    const docs = await this.model.find(q).sort({ email: 1 }).limit(limit).lean<UserDoc[]>().exec();
    return docs.map(toUser);
  }

  count(): Promise<number> {
    return this.model.countDocuments({}).exec();
  }

  async update(id: string, patch: Partial<Pick<User, 'disabled' | 'quotaBytes' | 'role'>>): Promise<void> {
    await this.model.updateOne({ _id: id }, { $set: patch }).exec();
  }

  async setRoleByEmails(emails: string[], role: Role): Promise<number> {
    if (emails.length === 0) return 0;
    const res = await this.model.updateMany({ email: { $in: emails }, role: { $ne: role } }, { $set: { role } }).exec();
    return res.modifiedCount;
  }
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
