/** AWS Signature V4 verification as Alternator does it for DynamoDB requests. */

import { createHash, createHmac, timingSafeEqual } from "node:crypto";

export interface SignedRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type VerifyResult = { ok: true; accessKeyId: string } | { ok: false; type: string; message: string };

const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data).digest();

function header(req: SignedRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(",") : v;
}

/** Checks the Authorization header; `secretFor` returns the secret of a user or undefined when unknown. */
export function verifySigV4(req: SignedRequest, secretFor: (user: string) => string | undefined): VerifyResult {
  const auth = header(req, "authorization");
  if (!auth) {
    return {
      ok: false,
      type: "MissingAuthenticationTokenException",
      message: "Authorization header is mandatory for signature verification",
    };
  }
  const m =
    /^AWS4-HMAC-SHA256\s+Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request,\s*SignedHeaders=([^,]+),\s*Signature=([0-9a-f]+)$/.exec(
      auth.trim(),
    );
  if (!m) return { ok: false, type: "InvalidSignatureException", message: "Incorrect Authorization header format" };
  const [, user = "", date = "", region = "", service = "", signedHeaders = "", signature = ""] = m;
  const secret = secretFor(user);
  if (secret === undefined)
    return { ok: false, type: "UnrecognizedClientException", message: `User not found: ${user}` };
  const amzDate = header(req, "x-amz-date") ?? "";
  const canonicalHeaders = signedHeaders
    .split(";")
    .map((h) => `${h}:${(header(req, h) ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const canonicalQuery = req.query.split("&").filter(Boolean).sort().join("&");
  const canonicalRequest = [
    req.method,
    req.path || "/",
    canonicalQuery,
    canonicalHeaders,
    signedHeaders,
    sha256(req.body),
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), "aws4_request");
  const expected = hmac(key, stringToSign);
  const given = Buffer.from(signature, "hex");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ok: false,
      type: "UnrecognizedClientException",
      message: "The security token included in the request is invalid.",
    };
  }
  return { ok: true, accessKeyId: user };
}
