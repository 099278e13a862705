/**
 * Recognising a one-shot run on the command line. Kept apart from the runs themselves (and free of imports) so the
 * executable can decide without loading the cluster client.
 * @module
 */

/**
 * Whether argv asks for a one-shot `command`: the command carrying the agents' token, which sctool's command of the
 * same name never takes.
 */
export function isOneShot(command: string, argv: readonly string[]): boolean {
  return argv[0] === command && argv.some((a) => a === "--auth-token" || a.startsWith("--auth-token="));
}
