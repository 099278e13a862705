/**
 * The cluster's secrets in the store (CQL credentials, Alternator credentials, SSL user certificate), as JSON values
 * under SM's keys. The store encrypts them at rest.
 * @module
 */
import * as v from "valibot";
import type { Store } from "../store/store.ts";
import { type ClusterSecrets, SecretKey } from "./model.ts";

const CqlCredsSchema = v.object({ username: v.string(), password: v.string() });
const AlternatorCredsSchema = v.object({ access_key_id: v.string(), secret_access_key: v.string() });
const TlsIdentitySchema = v.object({ cert: v.string(), private_key: v.string() });

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function readSecret<TSchema extends v.GenericSchema>(
  store: Store,
  clusterId: string,
  key: string,
  schema: TSchema,
): Promise<v.InferOutput<TSchema> | undefined> {
  const bytes = await store.getSecret(clusterId, key);
  if (bytes === undefined) return undefined;
  const parsed = v.safeParse(schema, JSON.parse(decoder.decode(bytes)));
  return parsed.success ? parsed.output : undefined;
}

/** Reads every secret of a cluster. */
export async function readClusterSecrets(store: Store, clusterId: string): Promise<ClusterSecrets> {
  const [cql, alternator, tls] = await Promise.all([
    readSecret(store, clusterId, SecretKey.cqlCreds, CqlCredsSchema),
    readSecret(store, clusterId, SecretKey.alternatorCreds, AlternatorCredsSchema),
    readSecret(store, clusterId, SecretKey.tlsIdentity, TlsIdentitySchema),
  ]);
  return { cql, alternator, tls };
}

/**
 * Writes the secrets present in `secrets` (absent ones are kept, as SM) and returns an undo that restores the
 * previous values, for when a later step of the same request fails.
 */
export async function writeClusterSecrets(
  store: Store,
  clusterId: string,
  secrets: ClusterSecrets,
): Promise<() => Promise<void>> {
  const writes: [string, unknown][] = [];
  if (secrets.cql) writes.push([SecretKey.cqlCreds, secrets.cql]);
  if (secrets.alternator) writes.push([SecretKey.alternatorCreds, secrets.alternator]);
  if (secrets.tls) writes.push([SecretKey.tlsIdentity, secrets.tls]);
  const previous = await Promise.all(writes.map(([key]) => store.getSecret(clusterId, key)));
  const done: number[] = [];
  const undo = async () => {
    for (const i of done) {
      const [key] = writes[i] as [string, unknown];
      const old = previous[i];
      if (old === undefined) await store.deleteSecret(clusterId, key);
      else await store.putSecret(clusterId, key, old);
    }
  };
  try {
    for (const [i, [key, value]] of writes.entries()) {
      await store.putSecret(clusterId, key, encoder.encode(JSON.stringify(value)));
      done.push(i);
    }
  } catch (error) {
    await undo();
    throw error;
  }
  return undo;
}
