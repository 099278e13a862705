/**
 * `scylla-manager import-sm`: brings a Scylla Manager 3.x keyspace into our store.
 *
 *   scylla-manager import-sm [-c config]... [--source-hosts h1,h2] [--source-port N] [--source-keyspace ks]
 *                            [--source-user U --source-password P] [--source-local-dc DC] [--source-ssl]
 *                            [--apply] [--overwrite]
 *
 * The source defaults to the config's `database:` section (SM's own config file works as it is); the target is the
 * store the config selects (`store:`, `data_dir`, `secret_key...`), so the same config the server will run with.
 * Dry run by default: prints what would be imported. `--apply` writes; existing clusters or tasks are replaced only
 * with `--overwrite`.
 * @module
 */
import { loadServerConfig } from "../config/server.ts";
import { errorMessage, isManagerError } from "../errors.ts";
import { cqlOptionsFromConfig, openStore } from "../store/open.ts";
import { formatImportSummary, importSm } from "./import.ts";

export const IMPORT_SM_USAGE = `Usage:
  scylla-manager import-sm [-c/--config-file <path>]... [--source-hosts h1,h2] [--source-port 9042]
      [--source-keyspace scylla_manager] [--source-user U --source-password P] [--source-local-dc DC]
      [--source-ssl] [--apply] [--overwrite]

Reads Scylla Manager's keyspace (default: the config's database section) and imports clusters with their
secrets, tasks with schedules, run history and repair/backup/restore state into the store the config selects.
Without --apply it only prints what it would import. Existing clusters and tasks are replaced only with --overwrite.
An import that did not finish (killed, or the store failed) is reported by every later run; running the same
command again finishes it.
`;

interface Args {
  configFiles: string[];
  source: Record<string, string>;
  ssl: boolean;
  apply: boolean;
  overwrite: boolean;
}

const VALUE_FLAGS = [
  "--source-hosts",
  "--source-port",
  "--source-keyspace",
  "--source-user",
  "--source-password",
  "--source-local-dc",
];

/** @throws Error naming the bad flag. */
export function parseImportSmArgs(argv: readonly string[]): Args {
  const args: Args = { configFiles: [], source: {}, ssl: false, apply: false, overwrite: false };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? "";
    const [name = "", inline] = token.startsWith("--") ? token.split(/=(.*)/s, 2) : [token, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v === "") throw new Error(`flag needs an argument: ${name}`);
      return v;
    };
    if (name === "-c" || name === "--config-file") args.configFiles.push(value());
    else if (VALUE_FLAGS.includes(name)) args.source[name.slice("--source-".length)] = value();
    else if (name === "--source-ssl") args.ssl = true;
    else if (name === "--apply") args.apply = true;
    else if (name === "--overwrite") args.overwrite = true;
    else throw new Error(token.startsWith("-") ? `unknown flag: ${name}` : `unexpected argument "${token}"`);
  }
  return args;
}

/** Runs the command; resolves to the exit code. */
export async function runImportSm(
  argv: readonly string[],
  out: (text: string) => void = (t) => process.stdout.write(t),
  err: (text: string) => void = (t) => process.stderr.write(t),
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    out(IMPORT_SM_USAGE);
    return 0;
  }
  let args: Args;
  try {
    args = parseImportSmArgs(argv);
  } catch (error) {
    err(`Error: ${(error as Error).message}\n\n${IMPORT_SM_USAGE}`);
    return 1;
  }
  try {
    const config = loadServerConfig(args.configFiles);
    const base = cqlOptionsFromConfig(config);
    const s = args.source;
    const source = {
      ...base,
      ...(s.hosts ? { hosts: s.hosts.split(",").filter(Boolean) } : {}),
      ...(s.port ? { port: Number(s.port) } : {}),
      ...(s.keyspace ? { keyspace: s.keyspace } : {}),
      ...(s.user !== undefined ? { user: s.user } : {}),
      ...(s.password !== undefined ? { password: s.password } : {}),
      ...(s["local-dc"] !== undefined ? { localDc: s["local-dc"] } : {}),
      ...(args.ssl ? { tls: base.tls ?? { validate: false } } : {}),
      // Reading: ONE is enough and works with a node down.
      consistency: "ONE",
    };
    if (config.store === "cql" && source.keyspace === base.keyspace && source.hosts.join() === base.hosts.join()) {
      throw new Error(
        `the source and the target are the same keyspace ${source.keyspace}: set --source-keyspace to SM's keyspace, or database.keyspace to ours`,
      );
    }
    const target = await openStore(config);
    try {
      const summary = await importSm({ source, target, apply: args.apply, overwrite: args.overwrite });
      out(formatImportSummary(summary));
    } finally {
      await target.close();
    }
    return 0;
  } catch (error) {
    const hint = isManagerError(error) && error.hint ? `\n${error.hint}` : "";
    err(`Error: ${errorMessage(error)}${hint}\n`);
    return 1;
  }
}
