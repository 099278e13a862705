/**
 * `download-files`' work (SM's `pkg/downloader/downloader.go`): one node's files of one snapshot, filtered by
 * keyspace globs, into a data dir laid out as Scylla's (`<ks>/<table>-<version>`), its `upload` dirs, or
 * sstableloader's `<ks>/<table>`; optionally clearing the tables first; or only the plan of all that.
 *
 * Beyond SM: a file that a later backup replaced (kept in the bucket as `<name>.sm_<tag>`) is downloaded in the
 * version that belongs to the snapshot, under its plain name (SM's downloader copies the plain name, which may be
 * a newer file); and a file already in place with the same size (and MD5 where the bucket has one) is not
 * downloaded again, so a second run resumes.
 * @module
 */
import { type FilesMeta, type Manifest, sstVersionDir } from "../../src/backup/layout/index.ts";
import { resolveVersions } from "../../src/restore/workload.ts";
import { decorateKeyspacePatterns, keyspaceFilter } from "../../src/util/inexlist.ts";
import type { Logger } from "../../src/util/log.ts";
import { createDataBackend } from "../providers/data.ts";
import { joinPath } from "../providers/path.ts";
import { type Backend, NotFoundBackendError } from "../providers/provider.ts";
import { BandwidthLimiter, forEachInPool, hashFile, TransferPool, transferFile } from "../transfer/index.ts";
import { checkFreeSpace, checkOwner } from "./local-dir.ts";
import type { SourceLocation } from "./lookup.ts";
import { type Plan, type TableDirMode, tableDir } from "./plan.ts";

/** Options of planDownload and download. */
export interface DownloadOptions {
  source: SourceLocation;
  /** Absolute path of the destination (the data dir). */
  dataDir: string;
  mode: TableDirMode;
  /** Keyspace/table globs; undefined downloads every table. */
  keyspace?: readonly string[];
  clearTables: boolean;
  /** Files downloaded at once. */
  parallel: number;
  /** MiB per second for all files together; 0 = unlimited. */
  rateLimitMiB: number;
  logger?: Logger;
  signal?: AbortSignal;
  /** Live totals as bytes arrive. */
  onProgress?: (progress: DownloadProgress) => void;
}

/** Totals of a download in flight. */
export interface DownloadProgress {
  totalBytes: number;
  doneBytes: number;
  totalFiles: number;
  doneFiles: number;
  /** Files already in place, not downloaded again. */
  skippedFiles: number;
}

interface Prepared {
  tables: FilesMeta[];
  plan: Plan;
  dst: Backend;
}

/** The checks and the plan, without touching any file (`--dry-run`). */
export async function planDownload(manifest: Manifest, options: DownloadOptions): Promise<Plan> {
  return (await prepare(manifest, options, true)).plan;
}

/** Clears (when asked) and downloads; resolves with what was done. */
export async function download(manifest: Manifest, options: DownloadOptions): Promise<DownloadProgress> {
  const { tables, dst } = await prepare(manifest, options, false);
  const files: Array<{ meta: FilesMeta; remoteDir: string; remote: string; name: string; size: number }> = [];
  for (const meta of tables) {
    if ((meta.files ?? []).length === 0) continue;
    const remoteDir = joinPath(
      options.source.location.bucket,
      sstVersionDir(manifest.cluster_id, manifest.dc, manifest.node_id, meta.keyspace, meta.table, meta.version),
    );
    const listing = [];
    try {
      for await (const e of options.source.backend.list(remoteDir, { filesOnly: true })) {
        listing.push({ name: e.name, size: e.size });
      }
    } catch (error) {
      if (!(error instanceof NotFoundBackendError)) throw error;
    }
    let resolved: ReturnType<typeof resolveVersions>;
    try {
      resolved = resolveVersions(meta.files ?? [], listing, manifest.snapshot_tag);
    } catch (error) {
      throw new Error(`download table ${meta.keyspace}.${meta.table}: ${(error as Error).message}`);
    }
    for (const [name, r] of resolved) files.push({ meta, remoteDir, remote: r.name, name, size: r.size });
  }
  const progress: DownloadProgress = {
    totalBytes: files.reduce((sum, f) => sum + f.size, 0),
    doneBytes: 0,
    totalFiles: files.length,
    doneFiles: 0,
    skippedFiles: 0,
  };
  options.onProgress?.({ ...progress });
  const pool = new TransferPool(options.parallel);
  const limiter = new BandwidthLimiter(options.rateLimitMiB > 0 ? options.rateLimitMiB * 1024 * 1024 : 0);
  const src = options.source.backend;
  await forEachInPool(
    pool,
    files,
    async (f) => {
      const srcPath = joinPath(f.remoteDir, f.remote);
      const dstPath = joinPath(tableDir(options.mode, f.meta.keyspace, f.meta.table, f.meta.version), f.name);
      try {
        if (await alreadyThere(src, srcPath, dst, dstPath, f.size)) {
          progress.skippedFiles++;
          progress.doneBytes += f.size;
        } else {
          options.logger?.debug(`downloading ${srcPath} to ${dstPath}`);
          // A local location (localstorage) with no rate limit: the kernel copies, as rclone's local backend does.
          const copied = limiter.rate === 0 ? await dst.copyFrom?.(src, srcPath, dstPath) : undefined;
          if (copied !== undefined) progress.doneBytes += copied;
          else
            await transferFile(src, srcPath, dst, dstPath, {
              limiter,
              signal: options.signal,
              onBytes: (n) => {
                progress.doneBytes += n;
                options.onProgress?.({ ...progress });
              },
            });
        }
        progress.doneFiles++;
        options.onProgress?.({ ...progress });
      } catch (error) {
        options.logger?.error(
          `Failed to download table ${f.meta.keyspace}.${f.meta.table}: ${(error as Error).message}`,
        );
        throw new Error(`download table ${f.meta.keyspace}.${f.meta.table}: ${(error as Error).message}`);
      }
    },
    { signal: options.signal },
  );
  return progress;
}

async function prepare(manifest: Manifest, options: DownloadOptions, dryRun: boolean): Promise<Prepared> {
  const index = manifest.index ?? [];
  if (index.length === 0) throw new Error("empty manifest");
  await checkOwner(options.dataDir);
  let tables = index;
  if (options.keyspace !== undefined) {
    const filter = keyspaceFilter(options.keyspace);
    tables = index.filter((m) => filter.matches(`${m.keyspace}.${m.table}`));
    if (tables.length === 0) {
      throw new Error(`no data matching filters ${decorateKeyspacePatterns(options.keyspace).join(" ")}`);
    }
  }
  await checkFreeSpace(
    options.dataDir,
    tables.reduce((sum, m) => sum + m.size, 0),
  );
  const dst = createDataBackend(options.dataDir);
  const plan: Plan = { clear: [], download: [] };
  for (const meta of tables) {
    if (options.clearTables) {
      for (const dir of await tableDirsToClear(dst, options.mode, meta)) {
        options.logger?.info(`Clearing table dir ${dir}`);
        plan.clear.push({ keyspace: meta.keyspace, table: meta.table, dir });
        if (!dryRun) await clearDir(dst, dir);
      }
    }
    if ((meta.files ?? []).length === 0) {
      options.logger?.info(`Skipping empty table ${meta.keyspace}.${meta.table}`);
      continue;
    }
    plan.download.push({
      keyspace: meta.keyspace,
      table: meta.table,
      size: meta.size,
      dir: tableDir(options.mode, meta.keyspace, meta.table, meta.version),
    });
  }
  return { tables, plan, dst };
}

/**
 * The existing dirs whose files `--clear-tables` removes: in Scylla's layout every `<table>-<32 hex>` dir of the
 * keyspace (older versions of the table too), otherwise the table's destination dir.
 */
async function tableDirsToClear(dst: Backend, mode: TableDirMode, meta: FilesMeta): Promise<string[]> {
  if (mode !== "") {
    const dir = tableDir(mode, meta.keyspace, meta.table, meta.version);
    return (await isDir(dst, dir)) ? [dir] : [];
  }
  const re = new RegExp(`^${escapeRe(meta.table)}-[a-f0-9]{32}$`);
  const out: string[] = [];
  try {
    for await (const e of dst.list(meta.keyspace, { dirsOnly: true })) {
      if (re.test(e.name)) out.push(`${meta.keyspace}/${e.name}`);
    }
  } catch (error) {
    if (!(error instanceof NotFoundBackendError)) throw error;
  }
  return out;
}

async function isDir(dst: Backend, dir: string): Promise<boolean> {
  try {
    for await (const _ of dst.list(dir, { filesOnly: true })) break;
    return true;
  } catch (error) {
    if (error instanceof NotFoundBackendError) return false;
    throw error;
  }
}

/** Deletes every file directly in `dir` (sub-dirs such as `upload` and `snapshots` stay). */
async function clearDir(dst: Backend, dir: string): Promise<void> {
  const files: string[] = [];
  for await (const e of dst.list(dir, { filesOnly: true })) files.push(e.path);
  for (const f of files) await dst.delete(joinPath(dir, f));
}

/** The destination has the file already: same size, and same MD5 where the source knows one. */
async function alreadyThere(src: Backend, srcPath: string, dst: Backend, dstPath: string, size: number) {
  const existing = await dst.stat(dstPath);
  if (existing === undefined || existing.isDir || existing.size !== size) return false;
  const source = await src.stat(srcPath);
  if (source === undefined || source.size !== size) return false;
  return source.md5 === undefined || source.md5 === (await hashFile(dst, dstPath));
}

function escapeRe(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
