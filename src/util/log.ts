import { type ConsolaInstance, type ConsolaReporter, createConsola, LogLevels } from "consola";

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
  const json: ConsolaReporter = {
    log(entry) {
      const [msg, ...rest] = entry.args;
      const line: Record<string, unknown> = {
        L: entry.type.toUpperCase(),
        T: entry.date.toISOString(),
        N: entry.tag || undefined,
        M: msg instanceof Error ? msg.message : String(msg),
      };
      for (const extra of rest) {
        if (extra instanceof Error) line.error = extra.message;
        else if (extra && typeof extra === "object") Object.assign(line, extra);
      }
      stream.write(`${JSON.stringify(line)}\n`);
    },
  };
  // Passing `reporters: undefined` would replace consola's default reporter with none; choose explicitly.
  const reporter = options.encoding === "json" ? json : createTextReporter(stream);
  const logger = createConsola({
    level: LEVEL[options.level ?? "info"],
    defaults: options.tag ? { tag: options.tag } : {},
    reporters: [reporter],
  });
  return logger;
}

/** A logger that drops everything (library default). */
export function createSilentLogger(): Logger {
  return createConsola({ level: -999, reporters: [] });
}

/** Plain text lines (`2026-11-25T08:00:00.000Z INFO [tag] message key=value`), readable under systemd and in pipes. */
function createTextReporter(stream: NodeJS.WritableStream): ConsolaReporter {
  return {
    log(entry) {
      const [msg, ...rest] = entry.args;
      const parts = [entry.date.toISOString(), entry.type.toUpperCase()];
      if (entry.tag) parts.push(`[${entry.tag}]`);
      parts.push(msg instanceof Error ? msg.message : String(msg));
      for (const extra of rest) {
        if (extra instanceof Error) parts.push(`error=${JSON.stringify(extra.message)}`);
        else if (extra && typeof extra === "object") {
          for (const [key, value] of Object.entries(extra)) parts.push(`${key}=${JSON.stringify(value)}`);
        } else if (extra !== undefined) parts.push(String(extra));
      }
      stream.write(`${parts.join(" ")}\n`);
    },
  };
}
