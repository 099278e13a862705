/**
 * The DATA stage's workload index (SM's `pkg/service/restore/index.go`): for every manifest and table being restored,
 * the remote SSTable dir, its SSTables (component files grouped by SSTable ID, each file resolved to the version
 * that belongs to the restored snapshot) and sizes. Pure: the caller lists the remote dirs.
 * @module
 */
import { isUuidId, sstableId } from "../backup/sstable-id.ts";
import { ManagerError } from "../errors.ts";

/** How an SSTable is identified: integer generations (`mc-5-big-...`) or UUID-like ones (`me-3ggs_0xmx_...`). */
export type SSTableIdType = "int" | "uuid";

/** An SSTable in the backup: its component files as stored remotely (versioned names included) and total size. */
export interface RemoteSSTable {
  id: string;
  idType: SSTableIdType;
  /** The TOC component's remote name. */
  toc: string;
  /** Remote names of every component (a versioned one ends in `.sm_<tag>`). */
  files: string[];
  size: number;
  /** Any component is a versioned copy (`<name>.sm_<tag>`): restored one by one with a rename. */
  versioned: boolean;
}

/** The SSTables of one table in one node's backup dir. */
export interface RemoteDirWorkload {
  keyspace: string;
  table: string;
  /** Location without DC, e.g. `s3:bucket`. */
  location: string;
  /** Source DC (of the backed-up node). */
  dc: string;
  nodeId: string;
  /** `<provider>:<bucket>/backup/sst/cluster/<c>/dc/<dc>/node/<n>/keyspace/<ks>/table/<t>/<version>`. */
  remoteSstableDir: string;
  size: number;
  sstables: RemoteSSTable[];
}

/** Everything the DATA stage restores. */
export interface Workload {
  totalSize: number;
  /** Bytes per `ks.table`. */
  tableSize: Map<string, number>;
  remoteDirs: RemoteDirWorkload[];
}

/** A remote file as listed: name and size. */
export interface ListedFile {
  name: string;
  size: number;
}

const TAG_SUFFIX = /^(.*)\.(sm_\d{14}UTC)$/;

/**
 * Picks, for every file name of the manifest, the remote version that belongs to snapshot `tag`: the versioned copy
 * `<name>.sm_<X>` with the smallest X greater than `tag`, else the plain `<name>` (SM's `ListVersionedFiles`).
 * Throws when a file is in neither form.
 */
export function resolveVersions(
  files: readonly string[],
  listing: readonly ListedFile[],
  tag: string,
): Map<string, ListedFile & { versioned: boolean }> {
  const plain = new Map<string, ListedFile>();
  const versions = new Map<string, ListedFile & { versionTag: string }>();
  for (const item of listing) {
    const m = TAG_SUFFIX.exec(item.name);
    if (!m) {
      plain.set(item.name, item);
      continue;
    }
    const base = m[1] as string;
    const versionTag = m[2] as string;
    if (versionTag <= tag) continue;
    const best = versions.get(base);
    if (best === undefined || versionTag < best.versionTag) versions.set(base, { ...item, versionTag });
  }
  const out = new Map<string, ListedFile & { versioned: boolean }>();
  for (const name of files) {
    const versioned = versions.get(name);
    if (versioned) {
      out.set(name, { name: versioned.name, size: versioned.size, versioned: true });
      continue;
    }
    const found = plain.get(name);
    if (!found) throw new ManagerError(`file ${name} is not present in listed versioned files`);
    out.set(name, { ...found, versioned: false });
  }
  return out;
}

/** Groups a manifest entry's files into SSTables by ID, each file resolved through `resolved` (see resolveVersions). */
export function groupSSTables(
  files: readonly string[],
  resolved: ReadonlyMap<string, ListedFile & { versioned: boolean }>,
): RemoteSSTable[] {
  const byId = new Map<string, RemoteSSTable>();
  for (const name of files) {
    const id = sstableId(name);
    if (id === undefined) throw new ManagerError(`parse SSTable ID of ${name}: unknown file name format`);
    const remote = resolved.get(name) ?? { name, size: 0, versioned: false };
    const sst = byId.get(id) ?? {
      id,
      idType: isUuidId(id) ? ("uuid" as const) : ("int" as const),
      toc: "",
      files: [],
      size: 0,
      versioned: false,
    };
    sst.files.push(remote.name);
    sst.size += remote.size;
    sst.versioned ||= remote.versioned;
    if (name.endsWith("-TOC.txt")) sst.toc = remote.name;
    byId.set(id, sst);
  }
  for (const sst of byId.values()) {
    if (sst.toc === "") throw new ManagerError(`SSTable ${sst.id} has no TOC file`);
  }
  return [...byId.values()];
}

/**
 * Drops the SSTables already restored by earlier runs (`restored`: remote dir → SSTable IDs) and dirs left empty;
 * resume works at batch granularity.
 */
export function filterRestored(
  dirs: readonly RemoteDirWorkload[],
  restored: ReadonlyMap<string, ReadonlySet<string>>,
): RemoteDirWorkload[] {
  const out: RemoteDirWorkload[] = [];
  for (const dir of dirs) {
    const done = restored.get(dir.remoteSstableDir);
    if (!done || done.size === 0) {
      out.push(dir);
      continue;
    }
    const sstables = dir.sstables.filter((s) => !done.has(s.id));
    if (sstables.length === 0) continue;
    out.push({ ...dir, sstables, size: sstables.reduce((sum, s) => sum + s.size, 0) });
  }
  return out;
}

/** Sums a list of remote dirs into a {@link Workload} (dirs without bytes are left out, as SM does). */
export function aggregateWorkload(dirs: readonly RemoteDirWorkload[]): Workload {
  const tableSize = new Map<string, number>();
  let totalSize = 0;
  const remoteDirs = dirs.filter((d) => d.size > 0);
  for (const dir of remoteDirs) {
    totalSize += dir.size;
    const key = `${dir.keyspace}.${dir.table}`;
    tableSize.set(key, (tableSize.get(key) ?? 0) + dir.size);
  }
  return { totalSize, tableSize, remoteDirs };
}
