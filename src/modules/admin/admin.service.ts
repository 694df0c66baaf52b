import { Injectable } from '@nestjs/common';
import { rootNamespaceOf } from '../../domain/namespace.js';
import { EventBus } from '../../common/events/event-bus.js';
import type { AuthContext, User } from '../auth/auth.types.js';
import { UsersService, type UserPatch } from '../auth/users.service.js';
import { DevicesService } from '../auth/devices.service.js';
import { DeviceListing, toDeviceDto } from '../devices/device-listing.service.js';
import { BlocksService } from '../blocks/blocks.service.js';
import { ConflictsService } from '../namespace/conflicts/conflicts.service.js';
import { JournalService } from '../journal/journal.service.js';
import { NamespaceCatalog } from '../namespace/namespace-catalog.service.js';
import { RetentionService } from '../retention/retention.service.js';
import { AdminErrors } from './admin.errors.js';
import type {
  AdminConflictsQuery,
  AdminDeviceDto,
  AdminUserDto,
  AdminUserPageDto,
  AdminUsersQuery,
  GcJobDto,
  PurgeJobDto,
  StorageDto,
  UpdateUserDto,
} from './dto/admin.dto.js';
import type { ConflictPageDto } from '../namespace/dto/read.dto.js';

declare module '../../common/events/event-bus.js' {
  interface DomainEvents {
    /** An admin disabled the account: its devices are signed out everywhere at once. */
    'user.disabled': { userId: string };
  }
}

@Injectable()
export class AdminService {
  constructor(
    private readonly users: UsersService,
    private readonly devices: DevicesService,
    private readonly listing: DeviceListing,
    private readonly journal: JournalService,
    private readonly catalog: NamespaceCatalog,
    private readonly blocks: BlocksService,
    private readonly conflicts: ConflictsService,
    private readonly retention: RetentionService,
    private readonly events: EventBus,
  ) {}

  async listUsers(q: AdminUsersQuery): Promise<AdminUserPageDto> {
    const limit = q.limit ?? 100;
    let after: string | undefined;
    if (q.cursor !== undefined) {
      after = Buffer.from(q.cursor, 'base64url').toString('utf8');
      if (!after.includes('@')) throw AdminErrors.badCursor();
    }
    const found = await this.users.list(q.search, after, limit + 1);
    const page = found.slice(0, limit);
    const hasMore = found.length > limit;
    return {
      users: await Promise.all(page.map((u) => this.toAdminUser(u))),
      hasMore,
      cursor: hasMore ? Buffer.from(page[page.length - 1]!.email).toString('base64url') : null,
    };
  }

  async getUser(id: string): Promise<AdminUserDto> {
    return this.toAdminUser(await this.user(id));
  }

  async updateUser(admin: AuthContext, id: string, dto: UpdateUserDto): Promise<AdminUserDto> {
    const user = await this.user(id);
    if (id === admin.userId && (dto.disabled === true || dto.role === 'user')) throw AdminErrors.notYourself();
    const patch: UserPatch = {};
    if (dto.disabled !== undefined) patch.disabled = dto.disabled;
    if (dto.quotaBytes !== undefined) patch.quotaBytes = dto.quotaBytes;
    if (dto.role !== undefined) patch.role = dto.role;
    if (Object.keys(patch).length > 0) await this.users.update(id, patch);
    if (dto.disabled === true && !user.disabled) this.events.emit('user.disabled', { userId: id });
    return this.getUser(id);
  }

  async userDevices(id: string): Promise<AdminDeviceDto[]> {
    await this.user(id);
    const [devices, head] = await Promise.all([this.listing.ofUser(id), this.journal.head(rootNamespaceOf(id))]);
    return devices.map((d) => {
      const { current: _current, ...dto } = toDeviceDto(d, '');
      return { ...dto, lagSeqs: Math.max(0, head - dto.sync.lastFetchedSeq) };
    });
  }

  async storage(): Promise<StorageDto> {
    let namespaces = 0;
    let liveBytes = 0;
    for await (const ns of this.catalog.namespaces()) {
      namespaces++;
      liveBytes += await this.journal.usage(ns.id);
    }
    const logicalBytes = await this.catalog.retainedBytes();
    const stored = await this.blocks.storedTotals();
    return {
      users: await this.users.count(),
      namespaces,
      liveBytes,
      logicalBytes,
      storedBytes: stored.bytes,
      storedBlocks: stored.blocks,
      dedupRatio: stored.bytes === 0 ? 1 : Math.round((logicalBytes / stored.bytes) * 1000) / 1000,
    };
  }

  conflictsOf(q: AdminConflictsQuery): Promise<ConflictPageDto> {
    return this.conflicts.page({ userId: q.userId, unresolved: q.unresolved ?? false }, q.limit ?? 100, q.cursor);
  }

  async purge(): Promise<PurgeJobDto> {
    const report = await this.retention.runPurge();
    return report ? { ran: true, report } : { ran: false };
  }

  async gc(): Promise<GcJobDto> {
    const report = await this.retention.runGc();
    return report ? { ran: true, report } : { ran: false };
  }

  private async user(id: string): Promise<User> {
    const user = await this.users.find(id);
    if (!user) throw AdminErrors.userNotFound();
    return user;
  }

  private async toAdminUser(u: User): Promise<AdminUserDto> {
    const devices = (await this.devices.ofUser(u.id)).filter((d) => !d.revokedAt).length;
    return {
      id: u.id,
      email: u.email,
      role: u.role,
      disabled: u.disabled,
      quotaBytes: u.quotaBytes,
      usedBytes: await this.journal.usage(rootNamespaceOf(u.id)),
      devices,
      createdAt: u.createdAt,
    };
  }
}
