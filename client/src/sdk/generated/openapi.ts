/* Generated from docs/openapi.json by scripts/openapi-client.mjs (openapi-typescript): do not edit.
 * Run `npm run openapi` after changing the server's DTOs; client/src/sdk/types.ts names these. */
export interface paths {
    "/v1/auth/register": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create an account and sign this device in. */
        post: operations["register"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign a device in with email and password; each login is a new device. */
        post: operations["login"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/refresh": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Exchange a refresh token for a new pair (rotation). Replaying a used token signs the device out. */
        post: operations["refresh"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/auth/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Sign this device out: its access and refresh tokens stop working. */
        post: operations["logout"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/me": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signed-in account. */
        get: operations["getMe"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/devices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The devices signed in to this account. */
        get: operations["listDevices"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/devices/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Sign a device out; its tokens stop working at once. */
        delete: operations["revokeDevice"];
        options?: never;
        head?: never;
        /** Rename a device or set its FCM token. */
        patch: operations["updateDevice"];
        trace?: never;
    };
    "/v1/blocks/check": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Which of these blocks you still have to upload. */
        post: operations["checkBlocks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/blocks/pack": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload up to 1000 small blocks in one body (a block pack, Content-Length required); each verified against its hash as it streams.
         * @description Body: "PCB1", a uint32 count, count × (32-byte SHA-256, uint32 size), then the blocks in that order (integers big-endian). Each block is taken as `PUT /v1/blocks/{hash}` takes one. A block whose bytes do not match stops the pack: the blocks before it are kept.
         */
        post: operations["uploadBlockPack"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/blocks/{hash}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A raw block, if one of your files (current, old or trashed) uses it. */
        get: operations["downloadBlock"];
        /** Upload one block (≤ 4 MiB, raw bytes, Content-Length required). Verified against the hash as it streams. */
        put: operations["uploadBlock"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/delta": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Changes after a cursor, in journal order, each exactly once; page on with the returned cursor. */
        get: operations["readDelta"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/delta/latest": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The cursor at the head of the journal (nothing to read after it). */
        get: operations["latestCursor"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/folders": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create a folder (by parentId + name, or path). */
        post: operations["createFolder"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/commit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Create a file, or a new version of one, from blocks you uploaded. With an existing id: a new version. */
        post: operations["commitFile"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/move": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Rename and/or move a file or folder. */
        post: operations["moveNode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/delete": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Move a file or folder (with its subtree) to the trash. */
        post: operations["deleteNode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/restore": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Bring a node back from the trash, with what the same delete removed. */
        post: operations["restoreNode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/revisions/restore": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Make an old version the current content (a new version). */
        post: operations["restoreRevision"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Many operations in one request, applied in order; each is its own journal entry with its own result. */
        post: operations["batch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/metadata": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A file or folder by id (also in the trash) or by path. */
        get: operations["getMetadata"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/list": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A folder’s contents in name order, paginated; optionally recursive. */
        get: operations["listFolder"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/blocks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A file’s block list (or a revision’s), to download only the blocks you lack. */
        get: operations["getBlockList"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/revisions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A file’s versions, newest first. */
        get: operations["listRevisions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/trash": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What was deleted and can be restored, newest first. */
        get: operations["listTrash"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/files/content": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** File content, streamed. Supports Range, ETag (the content hash), If-None-Match. */
        get: operations["downloadFile"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        /** Headers of a download, without the bytes. */
        head: operations["headFile"];
        patch?: never;
        trace?: never;
    };
    "/v1/conflicts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Conflicts the server settled for you, newest first. */
        get: operations["listConflicts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/conflicts/{id}/resolve": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resolve a conflict (keep mine / keep theirs / keep both for EDIT_EDIT; acknowledge for the rest). A journaled write. */
        post: operations["resolveConflict"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Users by email, searchable, with usage. */
        get: operations["adminListUsers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One user. */
        get: operations["adminGetUser"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        /** Disable or enable a user, set the quota or the role. */
        patch: operations["adminUpdateUser"];
        trace?: never;
    };
    "/v1/admin/users/{id}/devices": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A user’s devices with their sync lag. */
        get: operations["adminUserDevices"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/storage": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Storage use: live, logical and stored bytes, and the dedup ratio. */
        get: operations["adminStorage"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/conflicts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Conflicts of every user (or one), newest first. */
        get: operations["adminListConflicts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/jobs/purge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Purge trash and old versions past retention, now. */
        post: operations["adminRunPurge"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/v1/admin/jobs/gc": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Collect unreferenced blocks now (mark and sweep with a grace period). */
        post: operations["adminRunGc"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Liveness and readiness: the database and the blob store. */
        get: operations["getHealth"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        RegisterDto: {
            /** @example ada@example.com */
            email: string;
            /**
             * Format: password
             * @description At least 10 characters and hard to guess (zxcvbn-ts score 3 of 4, the email counted as a known word); else 400 WEAK_PASSWORD.
             */
            password: string;
            /** @example Ada's phone */
            deviceName: string;
            /** @enum {string} */
            platform: "android" | "ios" | "windows" | "macos" | "linux" | "web" | "cli" | "other";
        };
        UserDto: {
            /** Format: uuid */
            id: string;
            email: string;
            /** @enum {string} */
            role: "user" | "admin";
            /** @description The id of the namespace holding the user’s files. */
            rootNamespaceId: string;
            /** @description Bytes of current file versions allowed; 0 = unlimited. */
            quotaBytes: number;
            /** Format: date-time */
            createdAt: string;
        };
        TokensDto: {
            /** @example Bearer */
            tokenType: string;
            accessToken: string;
            /** Format: date-time */
            accessTokenExpiresAt: string;
            /** @description Single use: each refresh returns a new one. Replaying an old one signs the device out. */
            refreshToken: string;
            /** Format: date-time */
            refreshTokenExpiresAt: string;
        };
        SessionDto: {
            user: components["schemas"]["UserDto"];
            /**
             * Format: uuid
             * @description This login is a device; MQTT clientId is this id.
             */
            deviceId: string;
            tokens: components["schemas"]["TokensDto"];
        };
        ErrorBody: {
            /** @example 400 */
            statusCode: number;
            /**
             * @description Stable machine-readable code; see docs/errors.md.
             * @example VALIDATION_FAILED
             */
            code: string;
            /** @example The request is not valid. */
            message: string;
            details?: {
                [key: string]: unknown;
            };
            /** @description Correlation id; also in the x-request-id header and every log line. */
            requestId: string;
        };
        LoginDto: {
            /** @example ada@example.com */
            email: string;
            /** Format: password */
            password: string;
            /** @example Ada's phone */
            deviceName: string;
            /** @enum {string} */
            platform: "android" | "ios" | "windows" | "macos" | "linux" | "web" | "cli" | "other";
        };
        RefreshDto: {
            /** @description The refresh token from login, register or the last refresh. */
            refreshToken: string;
        };
        RefreshResultDto: {
            /** Format: uuid */
            deviceId: string;
            tokens: components["schemas"]["TokensDto"];
        };
        DeviceSyncDto: {
            /** @description Connected to the MQTT broker now. */
            connected: boolean;
            /** @description Highest journal seq poked to it over MQTT. */
            lastPokedSeq: number;
            /** @description Highest seq whose poke it acknowledged (PUBACK). */
            lastAckedSeq: number;
            /** @description Cursor seq it last read the delta from: everything up to it is durably applied. */
            lastFetchedSeq: number;
            /** Format: date-time */
            lastMqttSeenAt: string | null;
        };
        DeviceDto: {
            /** Format: uuid */
            id: string;
            name: string;
            /** @enum {string} */
            platform: "android" | "ios" | "windows" | "macos" | "linux" | "web" | "cli" | "other";
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            lastSeenAt: string;
            /** @description True for the device making this request. */
            current: boolean;
            /** Format: date-time */
            revokedAt?: string | null;
            /** @description Whether an FCM token is registered (the token itself is never returned). */
            hasPushToken: boolean;
            /** @description How far the device has caught up. */
            sync: components["schemas"]["DeviceSyncDto"];
        };
        UpdateDeviceDto: {
            name?: string;
            /** @description Firebase Cloud Messaging registration token; null removes it. */
            fcmToken?: string | null;
        };
        CheckBlocksDto: {
            /** @description SHA-256 hashes (lowercase hex) of blocks. */
            hashes: string[];
        };
        CheckBlocksResultDto: {
            /** @description The hashes you still have to upload (each once). */
            missing: string[];
        };
        UploadBlockResultDto: {
            hash: string;
            size: number;
            /** @description False when you had uploaded this block before. */
            created: boolean;
        };
        UploadBlockPackResultDto: {
            /** @description One result per block, in table order. */
            results: components["schemas"]["UploadBlockResultDto"][];
        };
        DeltaEntryDto: {
            /**
             * Format: uuid
             * @description Stable id: survives renames and moves.
             */
            id: string;
            /**
             * Format: uuid
             * @description The parent folder; the namespace root has the id of the namespace.
             */
            parentId: string;
            /**
             * @description Path when this state was recorded.
             * @example /Photos/cat.jpg
             */
            path: string;
            /** @example cat.jpg */
            name: string;
            /** @enum {string} */
            kind: "file" | "folder";
            /** @description Journal seq of the last change to this node. */
            rev: number;
            /** @description Bytes (0 for folders). */
            size: number;
            /** @description Dropbox content hash (files). */
            contentHash: string | null;
            /**
             * Format: date-time
             * @description Modification time reported by the device (display only).
             */
            mtime: string | null;
            /** @description In the trash; a deleted folder’s subtree is deleted with it. */
            deleted: boolean;
            /** @description The journal seq of the change. */
            seq: number;
        };
        DeltaPageDto: {
            /** @description Changes in journal order; a node may appear more than once. */
            entries: components["schemas"]["DeltaEntryDto"][];
            /** @description Pass back to read on; also the baseCursor for writes once applied. */
            cursor: string;
            hasMore: boolean;
        };
        LatestCursorDto: {
            cursor: string;
            /** @description The head seq of the namespace. */
            seq: number;
        };
        CreateFolderDto: {
            /** @description The cursor the device had fully applied when it made this operation. */
            baseCursor: string;
            /** @description Client-made id of this operation: a retry with the same opId returns the first result and changes nothing. */
            opId?: string;
            /**
             * Format: uuid
             * @description Id for the new node (e.g. a UUIDv7 minted offline); the server mints one if absent.
             */
            id?: string;
            /**
             * Format: uuid
             * @description Parent folder id; default the root. With name.
             */
            parentId?: string;
            name?: string;
            /**
             * @description Full path of the new node, instead of parentId + name.
             * @example /Photos/2024
             */
            path?: string;
            /**
             * @description When another live node in the folder has the name (NFC, case-insensitive): true gives this node a "name (conflicted copy <device>).ext" name (what sync clients want); false answers 409 NAME_TAKEN.
             * @default true
             */
            autorename?: boolean;
        };
        EntryDto: {
            /**
             * Format: uuid
             * @description Stable id: survives renames and moves.
             */
            id: string;
            /**
             * Format: uuid
             * @description The parent folder; the namespace root has the id of the namespace.
             */
            parentId: string;
            /**
             * @description Path when this state was recorded.
             * @example /Photos/cat.jpg
             */
            path: string;
            /** @example cat.jpg */
            name: string;
            /** @enum {string} */
            kind: "file" | "folder";
            /** @description Journal seq of the last change to this node. */
            rev: number;
            /** @description Bytes (0 for folders). */
            size: number;
            /** @description Dropbox content hash (files). */
            contentHash: string | null;
            /**
             * Format: date-time
             * @description Modification time reported by the device (display only).
             */
            mtime: string | null;
            /** @description In the trash; a deleted folder’s subtree is deleted with it. */
            deleted: boolean;
        };
        /**
         * @description See docs/conflicts.md.
         * @enum {string}
         */
        ConflictKind: "EDIT_RESTORED" | "MOVE_RESTORED" | "PARENT_RESTORED" | "DELETE_STALE" | "DELETE_PARTIAL" | "EDIT_EDIT" | "MOVE_MOVE" | "MOVE_CYCLE" | "NAME_COLLISION";
        ConflictRefDto: {
            /** @description The conflict record (GET /v1/conflicts). */
            id: string;
            /** @description See docs/conflicts.md. */
            kind: components["schemas"]["ConflictKind"];
        };
        WriteResultDto: {
            entry: components["schemas"]["EntryDto"];
            /** @description Journal seq of the change; null when nothing changed (already so). */
            seq: number | null;
            /** @description Conflicts the server settled for this operation (docs/conflicts.md); empty when it applied as sent. */
            conflicts: components["schemas"]["ConflictRefDto"][];
        };
        CommitFileDto: {
            /** @description The cursor the device had fully applied when it made this operation. */
            baseCursor: string;
            /** @description Client-made id of this operation: a retry with the same opId returns the first result and changes nothing. */
            opId?: string;
            /**
             * Format: uuid
             * @description Id for the new node (e.g. a UUIDv7 minted offline); the server mints one if absent.
             */
            id?: string;
            /**
             * Format: uuid
             * @description Parent folder id; default the root. With name.
             */
            parentId?: string;
            name?: string;
            /**
             * @description Full path of the new node, instead of parentId + name.
             * @example /Photos/2024
             */
            path?: string;
            /**
             * @description When another live node in the folder has the name (NFC, case-insensitive): true gives this node a "name (conflicted copy <device>).ext" name (what sync clients want); false answers 409 NAME_TAKEN.
             * @default true
             */
            autorename?: boolean;
            /** @description SHA-256 of each 4 MiB block, in order ([] for an empty file). */
            blocks: string[];
            /** @description File size in bytes. */
            size: number;
            /**
             * Format: date-time
             * @description Modification time on the device (display only).
             */
            mtime?: string;
        };
        MoveDto: {
            /** @description The cursor the device had fully applied when it made this operation. */
            baseCursor: string;
            /** @description Client-made id of this operation: a retry with the same opId returns the first result and changes nothing. */
            opId?: string;
            /** Format: uuid */
            id: string;
            /**
             * Format: uuid
             * @description New parent folder; default: stays.
             */
            parentId?: string;
            /** @description New name; default: keeps its name. */
            name?: string;
            /**
             * @description When another live node in the folder has the name (NFC, case-insensitive): true gives this node a "name (conflicted copy <device>).ext" name (what sync clients want); false answers 409 NAME_TAKEN.
             * @default true
             */
            autorename?: boolean;
        };
        DeleteDto: {
            /** @description The cursor the device had fully applied when it made this operation. */
            baseCursor: string;
            /** @description Client-made id of this operation: a retry with the same opId returns the first result and changes nothing. */
            opId?: string;
            /**
             * Format: uuid
             * @description File or folder to move to the trash (a folder with its subtree).
             */
            id: string;
            /** @description For a folder: every node the device removed locally with it. Any that stays live (kept by the conflict policy, or moved away by another device) is re-sent in the journal so the device learns it again. */
            removedIds?: string[];
        };
        RestoreDto: {
            /** @description The cursor the device had fully applied when it made this operation. */
            baseCursor: string;
            /** @description Client-made id of this operation: a retry with the same opId returns the first result and changes nothing. */
            opId?: string;
            /** Format: uuid */
            id: string;
            /**
             * Format: uuid
             * @description Restore into this folder instead of the original one.
             */
            parentId?: string;
            /** @description Restore under this name. */
            name?: string;
            /**
             * @description When another live node in the folder has the name (NFC, case-insensitive): true gives this node a "name (conflicted copy <device>).ext" name (what sync clients want); false answers 409 NAME_TAKEN.
             * @default true
             */
            autorename?: boolean;
        };
        RestoreRevisionDto: {
            /** @description The cursor the device had fully applied when it made this operation. */
            baseCursor: string;
            /** @description Client-made id of this operation: a retry with the same opId returns the first result and changes nothing. */
            opId?: string;
            /** Format: uuid */
            id: string;
            /** @description The seq of the revision (from /v1/files/revisions). */
            revision: number;
        };
        BatchCreateFolderOp: {
            /** @description The cursor the device had fully applied when it made this operation. */
            baseCursor: string;
            /** @description Client-made id of this operation: a retry with the same opId returns the first result and changes nothing. */
            opId?: string;
            /**
             * Format: uuid
             * @description Id for the new node (e.g. a UUIDv7 minted offline); the server mints one if absent.
             */
            id?: string;
            /**
             * Format: uuid
             * @description Parent folder id; default the root. With name.
             */
            parentId?: string;
            name?: string;
            /**
             * @description Full path of the new node, instead of parentId + name.
             * @example /Photos/2024
             */
            path?: string;
            /**
             * @description When another live node in the folder has the name (NFC, case-insensitive): true gives this node a "name (conflicted copy <device>).ext" name (what sync clients want); false answers 409 NAME_TAKEN.
             * @default true
             */
            autorename?: boolean;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "createFolder";
        };
        BatchCommitOp: {
            /** @description The cursor the device had fully applied when it made this operation. */
            baseCursor: string;
            /** @description Client-made id of this operation: a retry with the same opId returns the first result and changes nothing. */
            opId?: string;
            /**
             * Format: uuid
             * @description Id for the new node (e.g. a UUIDv7 minted offline); the server mints one if absent.
             */
            id?: string;
            /**
             * Format: uuid
             * @description Parent folder id; default the root. With name.
             */
            parentId?: string;
            name?: string;
            /**
             * @description Full path of the new node, instead of parentId + name.
             * @example /Photos/2024
             */
            path?: string;
            /**
             * @description When another live node in the folder has the name (NFC, case-insensitive): true gives this node a "name (conflicted copy <device>).ext" name (what sync clients want); false answers 409 NAME_TAKEN.
             * @default true
             */
            autorename?: boolean;
            /** @description SHA-256 of each 4 MiB block, in order ([] for an empty file). */
            blocks: string[];
            /** @description File size in bytes. */
            size: number;
            /**
             * Format: date-time
             * @description Modification time on the device (display only).
             */
            mtime?: string;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "commit";
        };
        BatchMoveOp: {
            /** @description The cursor the device had fully applied when it made this operation. */
            baseCursor: string;
            /** @description Client-made id of this operation: a retry with the same opId returns the first result and changes nothing. */
            opId?: string;
            /** Format: uuid */
            id: string;
            /**
             * Format: uuid
             * @description New parent folder; default: stays.
             */
            parentId?: string;
            /** @description New name; default: keeps its name. */
            name?: string;
            /**
             * @description When another live node in the folder has the name (NFC, case-insensitive): true gives this node a "name (conflicted copy <device>).ext" name (what sync clients want); false answers 409 NAME_TAKEN.
             * @default true
             */
            autorename?: boolean;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "move";
        };
        BatchDeleteOp: {
            /** @description The cursor the device had fully applied when it made this operation. */
            baseCursor: string;
            /** @description Client-made id of this operation: a retry with the same opId returns the first result and changes nothing. */
            opId?: string;
            /**
             * Format: uuid
             * @description File or folder to move to the trash (a folder with its subtree).
             */
            id: string;
            /** @description For a folder: every node the device removed locally with it. Any that stays live (kept by the conflict policy, or moved away by another device) is re-sent in the journal so the device learns it again. */
            removedIds?: string[];
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "delete";
        };
        BatchRestoreOp: {
            /** @description The cursor the device had fully applied when it made this operation. */
            baseCursor: string;
            /** @description Client-made id of this operation: a retry with the same opId returns the first result and changes nothing. */
            opId?: string;
            /** Format: uuid */
            id: string;
            /**
             * Format: uuid
             * @description Restore into this folder instead of the original one.
             */
            parentId?: string;
            /** @description Restore under this name. */
            name?: string;
            /**
             * @description When another live node in the folder has the name (NFC, case-insensitive): true gives this node a "name (conflicted copy <device>).ext" name (what sync clients want); false answers 409 NAME_TAKEN.
             * @default true
             */
            autorename?: boolean;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "restore";
        };
        BatchRestoreRevisionOp: {
            /** @description The cursor the device had fully applied when it made this operation. */
            baseCursor: string;
            /** @description Client-made id of this operation: a retry with the same opId returns the first result and changes nothing. */
            opId?: string;
            /** Format: uuid */
            id: string;
            /** @description The seq of the revision (from /v1/files/revisions). */
            revision: number;
            /**
             * @description discriminator enum property added by openapi-typescript
             * @enum {string}
             */
            type: "restoreRevision";
        };
        BatchDto: {
            /** @description Up to 1000 operations, applied in order, each its own journal entry with its own result. */
            ops: (components["schemas"]["BatchCreateFolderOp"] | components["schemas"]["BatchCommitOp"] | components["schemas"]["BatchMoveOp"] | components["schemas"]["BatchDeleteOp"] | components["schemas"]["BatchRestoreOp"] | components["schemas"]["BatchRestoreRevisionOp"])[];
            /**
             * @description Skip every operation after the first that fails (status 424, code SKIPPED), for queues whose operations depend on each other.
             * @default false
             */
            stopOnError?: boolean;
        };
        BatchErrorDto: {
            /**
             * @description Stable code (docs/errors.md); SKIPPED after an earlier failure with stopOnError.
             * @example NAME_TAKEN
             */
            code: string;
            message: string;
            details?: {
                [key: string]: unknown;
            };
        };
        BatchResultItemDto: {
            /** @description HTTP status this operation alone would have had. */
            status: number;
            /** @description The operation's opId, null when it had none. */
            opId: string | null;
            /** @description For an operation that succeeded (status 200 or 201). */
            result?: components["schemas"]["WriteResultDto"];
            /** @description For an operation that failed. */
            error?: components["schemas"]["BatchErrorDto"];
        };
        BatchResultDto: {
            results: components["schemas"]["BatchResultItemDto"][];
        };
        ListPageDto: {
            entries: components["schemas"]["EntryDto"][];
            /** @description Pass back for the next page. */
            cursor: string | null;
            hasMore: boolean;
        };
        BlockListDto: {
            /** Format: uuid */
            id: string;
            /** @description The revision (journal seq of the content change) these blocks are. */
            revision: number;
            size: number;
            contentHash: string;
            /** @description SHA-256 of each 4 MiB block, in order: download only those you lack (GET /v1/blocks/:hash). */
            blocks: string[];
        };
        RevisionDto: {
            /** @description Journal seq of this version; pass to restore or download it. */
            revision: number;
            size: number;
            contentHash: string;
            /** Format: date-time */
            mtime: string | null;
            /** Format: date-time */
            at: string;
            /** @description The device that wrote it. */
            deviceId: string | null;
            /** @description The current content of the file. */
            current: boolean;
        };
        TrashEntryDto: {
            /**
             * Format: uuid
             * @description Stable id: survives renames and moves.
             */
            id: string;
            /**
             * Format: uuid
             * @description The parent folder; the namespace root has the id of the namespace.
             */
            parentId: string;
            /**
             * @description Path when this state was recorded.
             * @example /Photos/cat.jpg
             */
            path: string;
            /** @example cat.jpg */
            name: string;
            /** @enum {string} */
            kind: "file" | "folder";
            /** @description Journal seq of the last change to this node. */
            rev: number;
            /** @description Bytes (0 for folders). */
            size: number;
            /** @description Dropbox content hash (files). */
            contentHash: string | null;
            /**
             * Format: date-time
             * @description Modification time reported by the device (display only).
             */
            mtime: string | null;
            /** @description In the trash; a deleted folder’s subtree is deleted with it. */
            deleted: boolean;
            /** Format: date-time */
            deletedAt: string | null;
        };
        TrashPageDto: {
            /** @description What each delete removed (its top node), newest first. */
            entries: components["schemas"]["TrashEntryDto"][];
            cursor: string | null;
            hasMore: boolean;
        };
        /**
         * @description The kind of write that met the conflict.
         * @enum {string}
         */
        OpKind: "folder.create" | "file.commit" | "node.move" | "node.delete" | "node.restore" | "revision.restore" | "conflict.resolve" | "retention.purge";
        /** @enum {string} */
        ConflictResolution: "keepMine" | "keepTheirs" | "keepBoth" | "acknowledge";
        ConflictDto: {
            id: string;
            /** @description See docs/conflicts.md. */
            kind: components["schemas"]["ConflictKind"];
            /** @description The node the operation was about, then the others involved. */
            nodeIds: string[];
            /** @description The device whose operation met the conflict. */
            deviceId: string | null;
            /** @description The kind of write that met the conflict. */
            opKind: components["schemas"]["OpKind"];
            /** @description The journal entry that settled it. */
            seq: number;
            /** Format: date-time */
            at: string;
            /** Format: date-time */
            resolvedAt: string | null;
            resolution: components["schemas"]["ConflictResolution"] | null;
        };
        ConflictPageDto: {
            conflicts: components["schemas"]["ConflictDto"][];
            cursor: string | null;
            hasMore: boolean;
        };
        ResolveConflictDto: {
            /** @description The cursor the device had fully applied when it made this operation. */
            baseCursor: string;
            /** @description Client-made id of this operation: a retry with the same opId returns the first result and changes nothing. */
            opId?: string;
            /**
             * @description EDIT_EDIT: keepMine, keepTheirs or keepBoth. Every other kind: acknowledge.
             * @enum {string}
             */
            resolution: "keepMine" | "keepTheirs" | "keepBoth" | "acknowledge";
        };
        AdminUserDto: {
            /** Format: uuid */
            id: string;
            email: string;
            /** @enum {string} */
            role: "user" | "admin";
            disabled: boolean;
            /** @description 0 = unlimited. */
            quotaBytes: number;
            /** @description Bytes of current versions of live files. */
            usedBytes: number;
            devices: number;
            /** Format: date-time */
            createdAt: string;
        };
        AdminUserPageDto: {
            users: components["schemas"]["AdminUserDto"][];
            cursor: string | null;
            hasMore: boolean;
        };
        UpdateUserDto: {
            /** @description A disabled account’s devices are signed out at once. */
            disabled?: boolean;
            /** @description Bytes; 0 = unlimited. */
            quotaBytes?: number;
            /** @enum {string} */
            role?: "user" | "admin";
        };
        AdminDeviceDto: {
            /** Format: uuid */
            id: string;
            name: string;
            /** @enum {string} */
            platform: "android" | "ios" | "windows" | "macos" | "linux" | "web" | "cli" | "other";
            /** Format: date-time */
            createdAt: string;
            /** Format: date-time */
            lastSeenAt: string;
            /** Format: date-time */
            revokedAt: string | null;
            hasPushToken: boolean;
            sync: components["schemas"]["DeviceSyncDto"];
            /** @description Journal entries the device has not fetched yet (head seq − lastFetchedSeq). */
            lagSeqs: number;
        };
        StorageDto: {
            users: number;
            namespaces: number;
            /** @description Current versions of live files, summed over users. */
            liveBytes: number;
            /** @description Every retained version, live, old or in the trash, as users see them (before dedup). */
            logicalBytes: number;
            /** @description Bytes actually stored (each block once). */
            storedBytes: number;
            storedBlocks: number;
            /** @description logicalBytes / storedBytes (1 when nothing is stored). */
            dedupRatio: number;
        };
        PurgeReportDto: {
            namespaces: number;
            purgedNodes: number;
            purgedRevisions: number;
        };
        PurgeJobDto: {
            /** @description False when another process was running it: nothing was done here. */
            ran: boolean;
            report?: components["schemas"]["PurgeReportDto"];
        };
        GcReportDto: {
            referencedBlocks: number;
            storedBlocks: number;
            candidates: number;
            sweptBlocks: number;
            freedBytes: number;
            keptAfterRecheck: number;
            possessionRecordsRemoved: number;
            orphanObjectsRemoved: number;
        };
        GcJobDto: {
            /** @description False when another process was running it: nothing was done here. */
            ran: boolean;
            report?: components["schemas"]["GcReportDto"];
        };
        DatabaseHealth: {
            ok: boolean;
            /** @description Round-trip time of the probe. */
            latencyMs: number;
            error?: string;
            /** @enum {string} */
            flavor: "mongodb" | "ferretdb";
        };
        BlobStoreHealth: {
            ok: boolean;
            /** @description Round-trip time of the probe. */
            latencyMs: number;
            error?: string;
            /** @enum {string} */
            kind: "fs" | "s3";
        };
        HealthReport: {
            /** @enum {string} */
            status: "ok" | "degraded";
            version: string;
            database: components["schemas"]["DatabaseHealth"];
            blobStore: components["schemas"]["BlobStoreHealth"];
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    register: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RegisterDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionDto"];
                };
            };
            /** @description EMAIL_TAKEN */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description RATE_LIMITED */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["LoginDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionDto"];
                };
            };
            /** @description INVALID_CREDENTIALS */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description RATE_LIMITED */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    refresh: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RefreshDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RefreshResultDto"];
                };
            };
            /** @description REFRESH_TOKEN_INVALID, _EXPIRED, _REUSED, DEVICE_REVOKED */
            401: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    getMe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UserDto"];
                };
            };
        };
    };
    listDevices: {
        parameters: {
            query?: {
                /** @description Also list signed-out devices. */
                includeRevoked?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeviceDto"][];
                };
            };
        };
    };
    revokeDevice: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description DEVICE_NOT_FOUND */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    updateDevice: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateDeviceDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeviceDto"];
                };
            };
            /** @description DEVICE_NOT_FOUND */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    checkBlocks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CheckBlocksDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["CheckBlocksResultDto"];
                };
            };
        };
    };
    uploadBlockPack: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/vnd.pocketcloud.block-pack": string;
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadBlockPackResultDto"];
                };
            };
            /** @description INVALID_BLOCK_PACK, HASH_MISMATCH (details: index, hash), SIZE_MISMATCH, REQUEST_ABORTED */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description LENGTH_REQUIRED */
            411: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description UNSUPPORTED_MEDIA_TYPE: send application/vnd.pocketcloud.block-pack */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    downloadBlock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                hash: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The block’s bytes. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description BLOCK_NOT_FOUND */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    uploadBlock: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                hash: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/octet-stream": string;
            };
        };
        responses: {
            /** @description Stored (or already yours: created=false, 200). */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadBlockResultDto"];
                };
            };
            /** @description INVALID_HASH, HASH_MISMATCH, SIZE_MISMATCH */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description LENGTH_REQUIRED */
            411: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description BLOCK_TOO_LARGE */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    readDelta: {
        parameters: {
            query?: {
                /** @description From /v1/delta, /v1/delta/latest or a write; absent = from the very beginning. */
                cursor?: string;
                /** @description Most changes in this page. */
                limit?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeltaPageDto"];
                };
            };
            /** @description CURSOR_RESET: a cursor this server did not make, or one more than DELTA_RELIST_AFTER_ENTRIES entries behind: relist, or read from the start */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    latestCursor: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LatestCursorDto"];
                };
            };
        };
    };
    createFolder: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateFolderDto"];
            };
        };
        responses: {
            /** @description Changed (200 with seq null: it was already so). */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WriteResultDto"];
                };
            };
            /** @description NAME_TAKEN (409, with autorename=false; details.current), ID_TAKEN, OP_ID_REUSED; see docs/errors.md */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    commitFile: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CommitFileDto"];
            };
        };
        responses: {
            /** @description Changed (200 with seq null: it was already so). */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WriteResultDto"];
                };
            };
            /** @description BLOCKS_MISSING (details.missing), BLOCKS_MISMATCH */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description QUOTA_EXCEEDED */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description NAME_TAKEN (409, with autorename=false; details.current), ID_TAKEN, OP_ID_REUSED; see docs/errors.md */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    moveNode: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MoveDto"];
            };
        };
        responses: {
            /** @description Changed (200 with seq null: it was already so). */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WriteResultDto"];
                };
            };
            /** @description MOVE_INTO_ITSELF, NOT_A_FOLDER, INVALID_NAME */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description NAME_TAKEN (409, with autorename=false; details.current), ID_TAKEN, OP_ID_REUSED; see docs/errors.md */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    deleteNode: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DeleteDto"];
            };
        };
        responses: {
            /** @description Changed (200 with seq null: it was already so). */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WriteResultDto"];
                };
            };
            /** @description NAME_TAKEN (409, with autorename=false; details.current), ID_TAKEN, OP_ID_REUSED; see docs/errors.md */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    restoreNode: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RestoreDto"];
            };
        };
        responses: {
            /** @description Changed (200 with seq null: it was already so). */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WriteResultDto"];
                };
            };
            /** @description NOT_IN_TRASH, PARENT_DELETED, NAME_TAKEN */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    restoreRevision: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RestoreRevisionDto"];
            };
        };
        responses: {
            /** @description Changed (200 with seq null: it was already so). */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WriteResultDto"];
                };
            };
        };
    };
    batch: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BatchDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BatchResultDto"];
                };
            };
        };
    };
    getMetadata: {
        parameters: {
            query?: {
                id?: string;
                path?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EntryDto"];
                };
            };
            /** @description NODE_NOT_FOUND, PATH_NOT_FOUND */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listFolder: {
        parameters: {
            query?: {
                id?: string;
                path?: string;
                /** @description Include the whole subtree (parents before children). */
                recursive?: boolean;
                limit?: number;
                /** @description From the previous page. */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ListPageDto"];
                };
            };
        };
    };
    getBlockList: {
        parameters: {
            query?: {
                id?: string;
                path?: string;
                /** @description A revision seq (from /v1/files/revisions); default the current content. */
                revision?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BlockListDto"];
                };
            };
            /** @description PURGED */
            410: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    listRevisions: {
        parameters: {
            query?: {
                id?: string;
                path?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RevisionDto"][];
                };
            };
        };
    };
    listTrash: {
        parameters: {
            query?: {
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TrashPageDto"];
                };
            };
        };
    };
    downloadFile: {
        parameters: {
            query?: {
                id?: string;
                path?: string;
                /** @description A revision seq (from /v1/files/revisions); default the current content. */
                revision?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The bytes. */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description The requested range. */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description RANGE_NOT_SATISFIABLE */
            416: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    headFile: {
        parameters: {
            query?: {
                id?: string;
                path?: string;
                /** @description A revision seq (from /v1/files/revisions); default the current content. */
                revision?: number;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    listConflicts: {
        parameters: {
            query?: {
                /** @description Only conflicts not resolved yet. */
                unresolved?: boolean;
                limit?: number;
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConflictPageDto"];
                };
            };
        };
    };
    resolveConflict: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ResolveConflictDto"];
            };
        };
        responses: {
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WriteResultDto"];
                };
            };
            /** @description RESOLUTION_NOT_APPLICABLE */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description CONFLICT_NOT_FOUND */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description CONFLICT_ALREADY_RESOLVED */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    adminListUsers: {
        parameters: {
            query?: {
                /** @description Part of an email. */
                search?: string;
                limit?: number;
                /** @description From the previous page. */
                cursor?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminUserPageDto"];
                };
            };
            /** @description ADMIN_ONLY */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    adminGetUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminUserDto"];
                };
            };
            /** @description ADMIN_ONLY */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description USER_NOT_FOUND */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    adminUpdateUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UpdateUserDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminUserDto"];
                };
            };
            /** @description CANNOT_CHANGE_OWN_ACCESS */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
            /** @description ADMIN_ONLY */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    adminUserDevices: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminDeviceDto"][];
                };
            };
            /** @description ADMIN_ONLY */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    adminStorage: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StorageDto"];
                };
            };
            /** @description ADMIN_ONLY */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    adminListConflicts: {
        parameters: {
            query?: {
                /** @description Only conflicts not resolved yet. */
                unresolved?: boolean;
                limit?: number;
                cursor?: string;
                /** @description Only this user’s conflicts. */
                userId?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ConflictPageDto"];
                };
            };
            /** @description ADMIN_ONLY */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    adminRunPurge: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PurgeJobDto"];
                };
            };
            /** @description ADMIN_ONLY */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    adminRunGc: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["GcJobDto"];
                };
            };
            /** @description ADMIN_ONLY */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ErrorBody"];
                };
            };
        };
    };
    getHealth: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthReport"];
                };
            };
            /** @description A dependency is down. */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HealthReport"];
                };
            };
        };
    };
}
type FlattenedDeepRequired<T> = {
    [K in keyof T]-?: FlattenedDeepRequired<T[K] extends unknown[] | undefined | null ? Extract<T[K], unknown[]>[number] : T[K]>;
};
type ReadonlyArray<T> = [
    Exclude<T, undefined>
] extends [
    unknown[]
] ? Readonly<Exclude<T, undefined>> : Readonly<Exclude<T, undefined>[]>;
export const registerDtoPlatformValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["RegisterDto"]["platform"]> = ["android", "ios", "windows", "macos", "linux", "web", "cli", "other"];
export const userDtoRoleValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["UserDto"]["role"]> = ["user", "admin"];
export const loginDtoPlatformValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["LoginDto"]["platform"]> = ["android", "ios", "windows", "macos", "linux", "web", "cli", "other"];
export const deviceDtoPlatformValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["DeviceDto"]["platform"]> = ["android", "ios", "windows", "macos", "linux", "web", "cli", "other"];
export const deltaEntryDtoKindValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["DeltaEntryDto"]["kind"]> = ["file", "folder"];
export const entryDtoKindValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["EntryDto"]["kind"]> = ["file", "folder"];
export const conflictKindValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["ConflictKind"]> = ["EDIT_RESTORED", "MOVE_RESTORED", "PARENT_RESTORED", "DELETE_STALE", "DELETE_PARTIAL", "EDIT_EDIT", "MOVE_MOVE", "MOVE_CYCLE", "NAME_COLLISION"];
export const batchCreateFolderOpTypeValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["BatchCreateFolderOp"]["type"]> = ["createFolder"];
export const batchCommitOpTypeValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["BatchCommitOp"]["type"]> = ["commit"];
export const batchMoveOpTypeValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["BatchMoveOp"]["type"]> = ["move"];
export const batchDeleteOpTypeValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["BatchDeleteOp"]["type"]> = ["delete"];
export const batchRestoreOpTypeValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["BatchRestoreOp"]["type"]> = ["restore"];
export const batchRestoreRevisionOpTypeValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["BatchRestoreRevisionOp"]["type"]> = ["restoreRevision"];
export const trashEntryDtoKindValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["TrashEntryDto"]["kind"]> = ["file", "folder"];
export const opKindValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["OpKind"]> = ["folder.create", "file.commit", "node.move", "node.delete", "node.restore", "revision.restore", "conflict.resolve", "retention.purge"];
export const conflictResolutionValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["ConflictResolution"]> = ["keepMine", "keepTheirs", "keepBoth", "acknowledge"];
export const resolveConflictDtoResolutionValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["ResolveConflictDto"]["resolution"]> = ["keepMine", "keepTheirs", "keepBoth", "acknowledge"];
export const adminUserDtoRoleValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["AdminUserDto"]["role"]> = ["user", "admin"];
export const updateUserDtoRoleValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["UpdateUserDto"]["role"]> = ["user", "admin"];
export const adminDeviceDtoPlatformValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["AdminDeviceDto"]["platform"]> = ["android", "ios", "windows", "macos", "linux", "web", "cli", "other"];
export const databaseHealthFlavorValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["DatabaseHealth"]["flavor"]> = ["mongodb", "ferretdb"];
export const blobStoreHealthKindValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["BlobStoreHealth"]["kind"]> = ["fs", "s3"];
export const healthReportStatusValues: ReadonlyArray<FlattenedDeepRequired<components>["schemas"]["HealthReport"]["status"]> = ["ok", "degraded"];
