/**
 * The marker an `import-sm --apply` keeps in the target store while it writes (an import is many store batches, so
 * it is not atomic). Kept apart from the importer so the server and `doctor` can report a leftover one without
 * loading the CQL driver.
 * @module
 */
import type { Store } from "../store/store.ts";

/** What an import in progress leaves in the target's drawer until its last write. */
export interface ImportMarker {
  /** `cql://hosts/keyspace` of the source. */
  source: string;
  startedAt: string;
  overwrite: boolean;
}

/** Where the marker lives: a drawer row outside every cluster (cluster ids are UUIDs). */
export const IMPORT_MARKER = { clusterId: "import-sm", key: "in_progress" } as const;

/** The marker of an import that started and never finished, if the store holds one. */
export async function readUnfinishedImport(store: Pick<Store, "getDrawer">): Promise<ImportMarker | undefined> {
  const value = await store.getDrawer(IMPORT_MARKER.clusterId, IMPORT_MARKER.key);
  if (!value || typeof value !== "object") return undefined;
  const m = value as Partial<ImportMarker>;
  return { source: String(m.source ?? "?"), startedAt: String(m.startedAt ?? "?"), overwrite: m.overwrite === true };
}

/** One sentence for logs and `doctor`: what is unfinished and the command that finishes it. */
export function describeUnfinishedImport(marker: ImportMarker): { message: string; hint: string } {
  return {
    message: `an import from Scylla Manager (${marker.source}, started ${marker.startedAt}) did not finish: some of its clusters, tasks or run history may be missing`,
    hint: `finish it with scylla-manager import-sm --apply and the --source-hosts/--source-keyspace of ${marker.source}${marker.overwrite ? " --overwrite" : ""}`,
  };
}
