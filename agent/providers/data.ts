import { LocalBackend } from "./local.ts";

/** The `data` provider: Scylla's data directory, jailed (SM addresses node files as `data:<ks>/<table>-<id>/...`). */
export function createDataBackend(dataDir: string): LocalBackend {
  return new LocalBackend({ provider: "data", root: dataDir, bucketed: false });
}

/** The `localstorage` provider: a shared filesystem (NFS) where each bucket is an existing subdirectory of `path`. */
export function createLocalstorageBackend(path: string): LocalBackend {
  return new LocalBackend({ provider: "localstorage", root: path, bucketed: true });
}
