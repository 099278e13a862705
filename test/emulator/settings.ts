/**
 * Builds each node's settings (the emulated scylla.yaml) from the cluster options.
 * @module
 */
import { generate } from "selfsigned";
import type { NodeSettings, NodeTlsSettings } from "./node-context.ts";
import { type ClusterOptions, parseAuth, releaseVersionOf } from "./options.ts";

/** Generates a self-signed certificate valid for the given IPs. */
async function generateTls(ips: string[], dir: string, requireClientAuth: boolean): Promise<NodeTlsSettings> {
  const now = new Date();
  const pems = await generate([{ name: "commonName", value: "scylla-emulator" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now.getTime() - 3600_000),
    notAfterDate: new Date(now.getTime() + 365 * 24 * 3600 * 1000),
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true, clientAuth: true },
      { name: "subjectAltName", altNames: ips.map((ip) => ({ type: 7 as const, ip })) },
    ],
  });
  return {
    enabled: true,
    certificate: pems.cert,
    key: pems.private,
    ca: pems.cert,
    requireClientAuth,
    certificatePath: `${dir}/db.crt`,
    keyfilePath: `${dir}/db.key`,
  };
}

/** The settings shared by every node (ports are equal; IPs differ). */
export async function buildSettings(options: ClusterOptions, ips: string[], dir: string): Promise<NodeSettings> {
  const version = options.scyllaVersion ?? "2025.1.0";
  if (!/^\d+\.\d+(\.\d+)?/.test(version))
    throw new Error(`invalid --scylla-version "${version}": use X.Y.Z, e.g. 2025.1.0`);
  const auth = options.auth === undefined ? undefined : parseAuth(options.auth);
  const alt = options.alternator;
  const altOptions = typeof alt === "object" ? alt : {};
  let tls: NodeTlsSettings | undefined;
  if (options.tls) {
    const given = typeof options.tls === "object" ? options.tls : {};
    const requireClientAuth = given.requireClientAuth ?? false;
    tls =
      given.certificate !== undefined && given.key !== undefined
        ? {
            enabled: true,
            certificate: given.certificate,
            key: given.key,
            ...(given.ca === undefined ? {} : { ca: given.ca }),
            requireClientAuth,
            certificatePath: `${dir}/db.crt`,
            keyfilePath: `${dir}/db.key`,
          }
        : await generateTls(ips, dir, requireClientAuth);
  }
  return {
    clusterName: options.clusterName ?? "Test Cluster",
    version,
    releaseVersion: releaseVersionOf(version),
    ...(auth === undefined ? {} : { auth }),
    authenticator: auth === undefined ? "org.apache.cassandra.auth.AllowAllAuthenticator" : "PasswordAuthenticator",
    restPort: options.ports?.rest ?? 10000,
    cqlPort: options.ports?.cql ?? 9042,
    cqlSslPort: options.ports?.cqlSsl ?? 9142,
    ...(tls === undefined ? {} : { tls }),
    prometheusPort: options.ports?.prometheus ?? 9180,
    alternator: {
      enabled: alt !== undefined && alt !== false,
      port: altOptions.port ?? 8000,
      ...(altOptions.httpsPort === undefined ? {} : { httpsPort: altOptions.httpsPort }),
      enforceAuthorization: altOptions.enforceAuthorization ?? auth !== undefined,
    },
    uuidSstableIdentifiers: options.uuidSstableIdentifiers ?? true,
    tabletsEnabled: options.tablets ?? true,
    shards: options.shards ?? 2,
    memoryPerShard: 1024 * 1024 * 1024,
    objectStorageEndpoints: options.objectStorageEndpoints ?? {},
  };
}
