/**
 * SSTable IDs from component file names (SM's `pkg/sstable` naming): `<fmt>-<id>-big-<Component>` with fmt one of
 * la, mc, md, me, ms, mt, or the old `<ks>-<cf>-<fmt>-<id>-<Component>`; the ID is an integer generation or a
 * 28-char base36 UUID-like `xxxx_xxxx_xxxxxxxxxxxxxxxxxx`.
 * @module
 */

const NEW_FORMAT = /^(la|mc|md|me|ms|mt)-([^-]+)-[a-z]+-.+$/;
const OLD_FORMAT = /^[^-]+-[^-]+-(ka|la)-(\d+)-.+$/;
const UUID_ID = /^[0-9a-z]{4}_[0-9a-z]{4}_[0-9a-z]{18}$/;

/** The SSTable ID of a component file name, or undefined when the name is no SSTable component. */
export function sstableId(name: string): string | undefined {
  return NEW_FORMAT.exec(name)?.[2] ?? OLD_FORMAT.exec(name)?.[2];
}

/** Whether an ID is UUID-like (unique across nodes) rather than an integer generation. */
export function isUuidId(id: string): boolean {
  return UUID_ID.test(id);
}
