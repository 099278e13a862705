/** Where the server keeps its state (the SQLite file and the secret key file). */
import { accessSync, constants, existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";

/** The system-wide default, used when writable (as SM's packaged service). */
export const SYSTEM_DATA_DIR = "/var/lib/scylla-manager";
/** Env var that overrides `data_dir` from the config. */
export const DATA_DIR_ENV = "SCYLLA_MANAGER_DATA_DIR";

export interface ResolveDataDirOptions {
  /** Default process.env. */
  env?: Record<string, string | undefined>;
  /** Default os.homedir(). */
  homeDir?: string;
  /** Whether a directory can be written (or created); default checks the file system. */
  isWritable?: (dir: string) => boolean;
}

/**
 * The data directory: env SCYLLA_MANAGER_DATA_DIR, else the config's `data_dir`, else /var/lib/scylla-manager when
 * writable, else `$XDG_DATA_HOME/scylla-manager`, else `~/.local/share/scylla-manager`. Returned absolute; not created.
 */
export function resolveDataDir(configDataDir: string, options: ResolveDataDirOptions = {}): string {
  const env = options.env ?? process.env;
  const fromEnv = env[DATA_DIR_ENV];
  if (fromEnv) return resolve(fromEnv);
  if (configDataDir) return resolve(configDataDir);
  const isWritable = options.isWritable ?? canWriteOrCreate;
  if (isWritable(SYSTEM_DATA_DIR)) return SYSTEM_DATA_DIR;
  const xdg = env.XDG_DATA_HOME;
  if (xdg) return join(resolve(xdg), "scylla-manager");
  return join(options.homeDir ?? homedir(), ".local", "share", "scylla-manager");
}

/** True if `dir` exists and is writable, or its nearest existing ancestor is writable (so it can be created). */
export function canWriteOrCreate(dir: string): boolean {
  let current = resolve(dir);
  while (!existsSync(current)) {
    const parent = dirname(current);
    if (parent === current) return false;
    current = parent;
  }
  try {
    accessSync(current, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
