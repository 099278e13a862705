import { LocalBackend } from "./local.ts";

/** The `data` provider: Scylla's data directory, jailed (SM addresses node files as `data:<ks>/<table>-<id>/...`). */
export function createDataBackend(dataDir: string): LocalBackend {
  // Durability choice: files written into `data:` (restore downloads, `sync/copypaths`) are not fsynced one by
  // one. Scylla reads them right away (load&stream / refresh) and writes its own, fsynced SSTables; a crash before
  // that re-runs the restore batch, and a file the crash left short or empty differs in size and is downloaded
  // again (ext4/XFS commit a new file's size only with its data). rclone, which SM drives, never fsyncs either.
  return new LocalBackend({ provider: "data", root: dataDir, bucketed: false, syncEachFile: false });
}

/** The `localstorage` provider: a shared filesystem (NFS) where each bucket is an existing subdirectory of `path`. */
export function createLocalstorageBackend(path: string): LocalBackend {
  // Durability choice: a backup's files are fsynced before they get their final name. SM writes the manifest
  // after the upload and from then on trusts that the files exist; this disk is the only copy once Scylla
  // drops the snapshot, so a crash must not leave a named but empty SSTable behind a valid manifest.
  // Moves on one filesystem (`moveFrom`) are renames of files Scylla has already made durable.
  return new LocalBackend({ provider: "localstorage", root: path, bucketed: true, syncEachFile: true });
}
