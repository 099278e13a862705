import { type ConsolaInstance, createConsola, LogLevels } from "consola";

/** Log levels of SM's config (`logger.level`). */
export type LogLevel = "error" | "warn" | "info" | "debug";
/** `logger.encoding` of SM's config: structured JSON lines or human text. */
export type LogEncoding = "json" | "console";

export interface LoggerOptions {
  /** Default "info". */
  level?: LogLevel;
  /** Default "console" (text). The daemon uses SM's default "json". */
  encoding?: LogEncoding;
  /** Tag shown with each line, e.g. "scheduler". */
  tag?: string;
  /** Where lines go; default process.stderr. */
  stream?: NodeJS.WritableStream;
}

export type Logger = ConsolaInstance;

const LEVEL: Record<LogLevel, number> = {
  error: LogLevels.error,
  warn: LogLevels.warn,
  info: LogLevels.info,
  debug: LogLevels.debug,
};

/** Creates a consola logger writing text or JSON lines to stderr. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const logger = createConsola({
    level: LEVEL[options.level ?? "info"],
    defaults: options.tag ? { tag: options.tag } : {},
    reporters:
      options.encoding === "json"
        ? [
            {
              log(entry) {
                const [msg, ...rest] = entry.args;
                const line: Record<string, unknown> = {
                  L: entry.type.toUpperCase(),
                  T: entry.date.toISOString(),
                  N: entry.tag || undefined,
                  M: msg instanceof Error ? msg.message : String(msg),
                };
                for (const extra of rest) {
                  if (extra && typeof extra === "object" && !(extra instanceof Error)) Object.assign(line, extra);
                  else if (extra instanceof Error) line.error = extra.message;
                }
                stream.write(`${JSON.stringify(line)}\n`);
              },
            },
          ]
        : undefined,
    stderr: stream as NodeJS.WriteStream,
    stdout: stream as NodeJS.WriteStream,
  });
  return logger;
}

/** A logger that drops everything (library default). */
export function createSilentLogger(): Logger {
  return createConsola({ level: -999, reporters: [] });
}
