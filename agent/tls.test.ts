import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, type PeerCertificate } from "node:tls";
import { startTestAgent, type TestAgent } from "./testing/harness.ts";
import { generateSelfSigned } from "./tls.ts";
import { createSelfSignedCertificate } from "./tls-cert.ts";

const agents: TestAgent[] = [];
afterAll(async () => {
  await Promise.all(agents.map((a) => a.close()));
});

function handshake(
  url: string,
  options: { maxVersion?: "TLSv1.2" | "TLSv1.3" } = {},
): Promise<{ protocol: string; cert: PeerCertificate }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), rejectUnauthorized: false, ...options }, () => {
      const result = { protocol: socket.getProtocol() ?? "", cert: socket.getPeerCertificate() };
      socket.end();
      resolve(result);
    });
    socket.once("error", reject);
  });
}

test("the generated certificate is ECDSA P-256, O=Scylla, with the node's IP as SAN", async () => {
  const t = await startTestAgent("127.0.20.4");
  agents.push(t);
  const { cert, protocol } = await handshake(t.agent.url);
  expect(cert.subject.O).toBe("Scylla");
  expect(cert.subjectaltname).toContain("IP Address:127.0.20.4");
  expect(cert.asn1Curve ?? cert.nistCurve).toMatch(/prime256v1|P-256/);
  expect(["TLSv1.2", "TLSv1.3"]).toContain(protocol);
});

test("tls_version TLSv1.3 refuses a TLS 1.2 client", async () => {
  const t = await startTestAgent("127.0.20.5", { tls_version: "TLSv1.3" });
  agents.push(t);
  expect((await handshake(t.agent.url)).protocol).toBe("TLSv1.3");
  await expect(handshake(t.agent.url, { maxVersion: "TLSv1.2" })).rejects.toThrow();
});

test("tls_cert_file/tls_key_file are served instead of a generated certificate", async () => {
  const pair = await generateSelfSigned(["agent.example"]);
  const dir = mkdtempSync(join(tmpdir(), "agent-tls-"));
  writeFileSync(join(dir, "c.pem"), pair.cert);
  writeFileSync(join(dir, "k.pem"), pair.key);
  try {
    const t = await startTestAgent("127.0.20.6", {
      tls_cert_file: join(dir, "c.pem"),
      tls_key_file: join(dir, "k.pem"),
    });
    agents.push(t);
    const { cert } = await handshake(t.agent.url);
    expect(cert.subjectaltname).toBe("DNS:agent.example");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a missing key file is a clear start-up error", async () => {
  await expect(
    startTestAgent("127.0.20.7", { tls_cert_file: "/nonexistent/c.pem", tls_key_file: "/nonexistent/k.pem" }),
  ).rejects.toThrow(/tls_(cert|key)_file: read \/nonexistent\//);
});

test("the certificate encoder: CA, key usages, IPv4/IPv6/DNS SANs, verifiable signature, 1 year", async () => {
  const { X509Certificate, createPrivateKey } = await import("node:crypto");
  const now = new Date("2026-01-02T03:04:05Z");
  const { cert, key } = createSelfSignedCertificate(["10.0.0.1", "fe80::1:2", "node.example"], now);
  const x = new X509Certificate(cert);
  expect(x.subject).toBe("O=Scylla");
  expect(x.ca).toBe(true);
  expect(x.subjectAltName).toBe("IP Address:10.0.0.1, IP Address:FE80:0:0:0:0:0:1:2, DNS:node.example");
  expect(x.verify(x.publicKey)).toBe(true);
  expect(x.checkPrivateKey(createPrivateKey(key))).toBe(true);
  expect(new Date(x.validTo).getTime() - new Date(x.validFrom).getTime()).toBe(365 * 24 * 3600 * 1000);
  expect(x.serialNumber).toMatch(/^[0-9A-F]{32}$/);
});
