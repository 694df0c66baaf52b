import { mkdirSync, realpathSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { Argument, Command, Option } from 'commander';
import { downloadToFile, hashFile, uploadMissingBlocks } from '../sdk/blocks.js';
import { PocketCloudClient } from '../sdk/client.js';
import { ApiError, NetworkError, SessionEndedError } from '../sdk/errors.js';
import { type ConflictResolution, conflictResolutionValues, type Entry } from '../sdk/types.js';
import { SyncEngine } from '../sync/engine.js';
import { STATE_DIR } from '../sync/fs-scan.js';
import { SyncService } from '../sync/service.js';
import { fmtSize, Output } from './output.js';
import { NotLoggedIn, Profile } from './profile.js';

interface Globals {
  home?: string;
  json?: boolean;
}

const program = new Command();
program
  .name('pocketcloud')
  .description('Keep a folder in sync with a pocketCloud server, and work with the files on it.')
  .option('--home <dir>', 'the device profile folder (default $POCKETCLOUD_HOME or ~/.pocketcloud)')
  .option('--json', 'machine-readable output (JSON; one line per event for sync)')
  .showHelpAfterError();

function ctx(cmd: Command): { profile: Profile; out: Output } {
  const g = cmd.optsWithGlobals<Globals>();
  return { profile: Profile.resolve(g.home), out: new Output(g.json === true) };
}

/** Runs a command: known failures become one line and an exit code, never a stack trace. */
function action<A extends unknown[]>(fn: (profile: Profile, out: Output, ...args: A) => Promise<void>) {
  return async (...args: unknown[]): Promise<void> => {
    const cmd = args[args.length - 1] as Command;
    const { profile, out } = ctx(cmd);
    try {
      await fn(profile, out, ...(args.slice(0, -1) as A));
    } catch (err) {
      const e = err as Error;
      const [code, exit] =
        e instanceof NotLoggedIn
          ? ['NOT_LOGGED_IN', 3]
          : e instanceof SessionEndedError
            ? [e.code, 4]
            : e instanceof ApiError
              ? [e.code, 1]
              : e instanceof NetworkError
                ? ['NETWORK', 5]
                : ['ERROR', 1];
      out.error(e, code);
      process.exitCode = exit;
    } finally {
      profile.close();
    }
  };
}

async function baseCursor(client: PocketCloudClient): Promise<string> {
  return (await client.latest()).cursor;
}

function remotePath(p: string): string {
  const norm = path.posix.normalize(`/${p}`).replace(/\/+$/, '');
  return norm === '' ? '/' : norm;
}

async function maybeEntry(client: PocketCloudClient, p: string): Promise<Entry | null> {
  try {
    return await client.metadata({ path: p });
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

// ── login / logout / status ─────────────────────────────────────────────────────────────────

program
  .command('login')
  .description('log this device in (a new device on the server) and keep its session in the profile')
  .requiredOption('--server <url>', 'server URL, e.g. http://127.0.0.1:8080')
  .requiredOption('--email <email>', 'account email')
  .option('--password <password>', 'password (default $POCKETCLOUD_PASSWORD, or asked for)')
  .option('--device-name <name>', 'how this device is called (conflicted copies carry it)', Profile.defaultDeviceName())
  .action(
    action(async (profile, out, o: { server: string; email: string; password?: string; deviceName: string }) => {
      let password = o.password ?? process.env.POCKETCLOUD_PASSWORD;
      if (!password) {
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        password = await rl.question('password: ');
        rl.close();
      }
      mkdirSync(profile.home, { recursive: true });
      const client = await PocketCloudClient.login(o.server, { email: o.email, password, deviceName: o.deviceName }, profile.sessions);
      const s = client.session;
      out.result({ server: s.server, email: s.email, userId: s.userId, deviceId: s.deviceId, deviceName: s.deviceName }, () => `logged in to ${s.server} as ${s.email} (device ${s.deviceName}, ${s.deviceId})`);
    }),
  );

program
  .command('logout')
  .description('sign this device out (the server revokes it) and forget the session')
  .action(
    action(async (profile, out) => {
      await profile.client().logout();
      out.result({ ok: true }, () => 'logged out');
    }),
  );

program
  .command('status')
  .description('the session, the synced folder, the queue and what the server refused')
  .action(
    action((profile, out) => {
      const s = profile.client().session;
      const st = profile.sync;
      const info = {
        server: s.server,
        email: s.email,
        deviceId: s.deviceId,
        folder: st.getMeta('root'),
        queued: st.queueLength(),
        nodes: st.nodeCount(),
        cursor: st.cursor,
        refused: st.failures(),
      };
      out.result(info, () =>
        [
          `server  ${info.server} (${info.email}, device ${info.deviceId})`,
          `folder  ${info.folder ?? '(none yet: pocketcloud sync <dir>)'}`,
          `synced  ${info.nodes} files and folders; ${info.queued} operations queued`,
          ...info.refused.map((f) => `refused ${f.type} ${f.code}: ${f.message}`),
        ].join('\n'),
      );
      return Promise.resolve();
    }),
  );

// ── files on the server ─────────────────────────────────────────────────────────────────────

program
  .command('ls')
  .description('list a folder on the server')
  .argument('[path]', 'folder', '/')
  .option('-r, --recursive', 'the whole subtree')
  .action(
    action(async (profile, out, p: string, o: { recursive?: boolean }) => {
      const entries = await profile.client().list({ path: remotePath(p) }, o.recursive === true);
      out.result(entries, () =>
        entries.map((e) => `${e.kind === 'folder' ? 'd' : '-'} ${fmtSize(e.size).padStart(7)}  ${o.recursive ? e.path : e.name}${e.kind === 'folder' ? '/' : ''}`).join('\n') || '(empty)',
      );
    }),
  );

program
  .command('put')
  .description('upload a file (only the blocks the server lacks); a new version if the path exists')
  .argument('<local>', 'local file')
  .argument('[remote]', 'remote path, or a folder ending in /', '/')
  .action(
    action(async (profile, out, local: string, remote: string) => {
      const client = profile.client();
      let dest = remotePath(remote);
      const target = await maybeEntry(client, dest);
      if (remote.endsWith('/') || dest === '/' || target?.kind === 'folder') dest = remotePath(`${dest}/${path.basename(local)}`);
      const size = statSync(local).size;
      const hb = out.bar('hashing  ', size);
      const h = await hashFile(local, (n) => hb.add(n));
      hb.stop();
      const ub = out.bar('uploading', size);
      const up = await uploadMissingBlocks(client, local, h.blocks, { onProgress: (n) => ub.add(n) });
      ub.stop();
      const r = await client.commit({ path: dest, blocks: h.blocks, size: h.size, mtime: statSync(local).mtime.toISOString(), baseCursor: await baseCursor(client) });
      out.result({ ...r, uploadedBlocks: up.uploaded, uploadedBytes: up.bytes }, () =>
        `${r.entry.path} (${fmtSize(r.entry.size)}, ${up.uploaded}/${h.blocks.length} blocks uploaded)${r.seq === null ? ' — unchanged' : ''}${r.conflicts.length ? ` — conflicts: ${r.conflicts.map((c) => c.kind).join(', ')}` : ''}`,
      );
    }),
  );

program
  .command('get')
  .description('download a file (written to a temp file, then renamed into place)')
  .argument('<remote>', 'remote path')
  .argument('[local]', 'local path or folder', '.')
  .action(
    action(async (profile, out, remote: string, local: string) => {
      const client = profile.client();
      const e = await client.metadata({ path: remotePath(remote) });
      if (e.kind !== 'file') throw new Error(`${e.path} is a folder`);
      let dest = path.resolve(local);
      if (statSync(dest, { throwIfNoEntry: false })?.isDirectory()) dest = path.join(dest, e.name);
      const tmp = path.join(path.dirname(dest), `.~pc-get-${process.pid}`);
      const bar = out.bar('downloading', e.size);
      try {
        const got = await downloadToFile(client, e.id, tmp, (n) => bar.add(n));
        bar.stop();
        if (got.etag && got.contentHash !== got.etag) throw new Error(`downloaded bytes do not match the content hash of ${e.path}`);
        await rename(tmp, dest);
        out.result({ path: dest, size: got.size, contentHash: got.contentHash }, () => `${dest} (${fmtSize(got.size)})`);
      } finally {
        bar.stop();
        await rm(tmp, { force: true });
      }
    }),
  );

program
  .command('mv')
  .description('rename or move a file or folder on the server')
  .argument('<from>', 'remote path')
  .argument('<to>', 'new path, or an existing folder to move into')
  .action(
    action(async (profile, out, from: string, to: string) => {
      const client = profile.client();
      const node = await client.metadata({ path: remotePath(from) });
      const dest = remotePath(to);
      const existing = await maybeEntry(client, dest);
      let parentId: string;
      let name: string;
      if (existing?.kind === 'folder') {
        parentId = existing.id;
        name = node.name;
      } else {
        parentId = (await client.metadata({ path: path.posix.dirname(dest) })).id;
        name = path.posix.basename(dest);
      }
      const r = await client.move({ id: node.id, parentId, name, baseCursor: await baseCursor(client) });
      out.result(r, () => `${node.path} → ${r.entry.path}`);
    }),
  );

program
  .command('rm')
  .description('move a file or folder on the server to the trash')
  .argument('<path>', 'remote path')
  .action(
    action(async (profile, out, p: string) => {
      const client = profile.client();
      const node = await client.metadata({ path: remotePath(p) });
      const r = await client.delete({ id: node.id, baseCursor: await baseCursor(client) });
      out.result(r, () => `${node.path} is in the trash`);
    }),
  );

const trash = program.command('trash').description('what was deleted, newest first (`trash restore <id>` brings one back)');
trash.action(
  action(async (profile, out) => {
    const entries = await profile.client().trash();
    out.result(entries, () => entries.map((e) => `${e.deletedAt ?? ''}  ${e.id}  ${e.path}${e.kind === 'folder' ? '/' : ''}`).join('\n') || '(empty)');
  }),
);
trash
  .command('restore')
  .description('bring a node back from the trash, with what the same delete removed')
  .argument('<id>', 'node id (from `pocketcloud trash`)')
  .action(
    action(async (profile, out, id: string) => {
      const client = profile.client();
      const r = await client.restore({ id, baseCursor: await baseCursor(client) });
      out.result(r, () => `restored ${r.entry.path}`);
    }),
  );

const conflicts = program.command('conflicts').description('conflicts the server settled, and local edits this device kept aside');
conflicts.option('--unresolved', 'only the ones not resolved yet').action(
  action(async (profile, out, o: { unresolved?: boolean }) => {
    const server = await profile.client().conflicts(o.unresolved === true);
    const local = profile.sync.localConflicts();
    out.result({ server, local }, () =>
      [
        ...server.map((c) => `${c.at}  ${c.id}  ${c.kind.padEnd(15)} ${c.opKind} ${c.resolvedAt ? `(resolved: ${c.resolution})` : ''}`),
        ...local.map((c) => `${c.at}  local  ${c.kind.padEnd(15)} ${c.path}${c.copy ? ` → ${c.copy}` : ''}`),
      ].join('\n') || '(none)',
    );
  }),
);
conflicts
  .command('resolve')
  .description('resolve a conflict: keepMine | keepTheirs | keepBoth (EDIT_EDIT), acknowledge (the rest)')
  .argument('<id>', 'conflict id')
  .addArgument(new Argument('<resolution>', 'keepMine | keepTheirs | keepBoth | acknowledge').choices(conflictResolutionValues))
  .action(
    action(async (profile, out, id: string, resolution: ConflictResolution) => {
      const client = profile.client();
      const r = await client.resolveConflict(id, resolution, await baseCursor(client));
      out.result(r, () => `resolved (${resolution})`);
    }),
  );

// ── sync ────────────────────────────────────────────────────────────────────────────────────

program
  .command('sync')
  .description('keep a folder in sync: watch it, push changes, apply the server’s (works offline and catches up)')
  .argument('<dir>', 'the folder to keep in sync (created if missing)')
  .option('--once', 'one cycle (scan, push, pull), then exit')
  .option('--interval <seconds>', 'periodic delta read, the fallback when pokes are lost', '60')
  .option('--debounce <ms>', 'quiet time after a change before syncing', '100')
  .option('--mqtt <url>', 'MQTT URL for pokes (default ws://<server>/mqtt)')
  .addOption(new Option('--no-mqtt', 'no pokes: rely on the periodic delta read'))
  .option('--poll', 'poll the folder instead of native watching (network file systems)')
  .action(
    action(async (profile, out, dir: string, o: { once?: boolean; interval: string; debounce: string; mqtt?: string | false; poll?: boolean }) => {
      const client = profile.client();
      const session = client.session;
      mkdirSync(dir, { recursive: true });
      const root = realpathSync(dir);
      const store = profile.sync;
      const bound = store.getMeta('root');
      if (bound && bound !== root) throw new Error(`this profile syncs ${bound}; use another --home for ${root}`);
      if (!bound) store.setMeta('root', root);
      if (path.relative(root, profile.home).split(path.sep)[0] !== '..' && path.relative(root, profile.home) !== STATE_DIR) {
        throw new Error(`the profile (${profile.home}) must not be inside the synced folder, except as ${STATE_DIR}/`);
      }
      const engine = new SyncEngine({
        client,
        store,
        root,
        ns: session.ns,
        deviceName: session.deviceName,
        log: (msg, fields) => out.event('log', { msg, ...fields }, `${msg}${fields ? ` ${JSON.stringify(fields)}` : ''}`),
      });
      const report = (r: Awaited<ReturnType<SyncEngine['syncOnce']>>): void => {
        const busy = r.queued + r.pushed + r.applied + r.localConflicts + r.dropped > 0;
        out.event(
          'synced',
          { queued: r.queued, pushed: r.pushed, dropped: r.dropped, applied: r.applied, localConflicts: r.localConflicts, conflicts: r.conflicts, queue: r.queue, skipped: r.skipped },
          busy
            ? `synced: ${r.pushed} sent, ${r.applied} applied${r.conflicts.length ? `, server settled ${r.conflicts.map((c) => c.kind).join(', ')}` : ''}${r.localConflicts ? `, ${r.localConflicts} local edits kept aside` : ''}`
            : 'up to date',
        );
      };
      if (o.once) {
        report(await engine.syncOnce());
        return;
      }
      const base = new URL(session.server);
      const mqttUrl = o.mqtt === false ? null : (o.mqtt ?? `${base.protocol === 'https:' ? 'wss' : 'ws'}://${base.host}/mqtt`);
      const service = new SyncService({ engine, mqttUrl, intervalMs: Number(o.interval) * 1000, debounceMs: Number(o.debounce), poll: o.poll === true });
      service.on('synced', report);
      service.on('offline', (msg, wait) => out.event('offline', { error: msg, retryInMs: wait }, `offline (${msg}); retrying in ${Math.round(wait / 1000)} s`));
      service.on('error', (err) => out.event('error', { error: err.message }, `error: ${err.message}`));
      service.on('pokes', (state, why) => out.event('pokes', { state, detail: why }, `pokes ${state}${why ? ` (${why})` : ''}`));
      service.on('notice', (m) => out.event('notice', m, `notice: ${JSON.stringify(m)}`));
      const stopped = new Promise<void>((resolve) => service.once('stopped', resolve));
      const stop = (): void => void service.stop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await service.start();
      out.event('ready', { folder: root, deviceId: session.deviceId }, `syncing ${root} (device ${session.deviceName})`);
      await stopped;
    }),
  );

await program.parseAsync(process.argv);
