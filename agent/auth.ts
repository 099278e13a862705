/**
 * Bearer-token check of the HTTPS API (SM's `pkg/auth/auth.go`): `Authorization: Bearer <token>`, prefix matched
 * case-insensitively, token compared in constant time; a failure waits 1 s, then answers SM's exact 401 body.
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

/** The exact body SM's agent answers on an auth failure (Scylla's error shape, so SM reads HTTP 401). */
export const UNAUTHORIZED_BODY = '{"message":"unauthorized","code":401}';

const PREFIX = "bearer ";

/** True when `header` carries `token`. Hashing both sides first keeps the compare constant-time across lengths. */
export function isAuthorized(header: string | null, token: string): boolean {
  if (header === null || header.length < PREFIX.length) return false;
  if (header.slice(0, PREFIX.length).toLowerCase() !== PREFIX) return false;
  const given = createHash("sha256").update(header.slice(PREFIX.length)).digest();
  const expected = createHash("sha256").update(token).digest();
  return timingSafeEqual(given, expected);
}

/** The 401 answer, after SM's 1 s penalty (slows down token guessing). */
export async function unauthorizedResponse(penaltyMs = 1000): Promise<Response> {
  await sleep(penaltyMs);
  return new Response(UNAUTHORIZED_BODY, { status: 401, headers: { "content-type": "application/json" } });
}
