/**
 * SM's bucket layout, shared by backup, restore and validate: locations, snapshot tags and versioned names,
 * bucket paths, the v2 manifest model and codec, and listing a location into manifests. See `src/backup/README.md`.
 * @module
 */
export * from "./list.ts";
export * from "./location.ts";
export * from "./manifest.ts";
export * from "./manifest-codec.ts";
export * from "./paths.ts";
export * from "./tags.ts";
