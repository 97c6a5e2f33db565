/**
 * Readable log lines with time, level and component, to stderr and optionally to a file.
 *
 * `getLogger("broker")` is cheap and may be called at module load; the sinks are configured once at
 * start-up by `configureLogging`. File writes are synchronous appends of whole lines so that a crash
 * never leaves half a line behind and ordering matches stderr.
 */

export type LogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";

const LEVEL_RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

interface Sinks {
  level: LogLevel;
  stderr: boolean;
  file: Deno.FsFile | null;
}

const sinks: Sinks = {
  level: (Deno.env.get("RMQ_LOG_LEVEL") as LogLevel | undefined) ?? "INFO",
  stderr: true,
  file: null,
};

const encoder = new TextEncoder();

export interface LoggingOptions {
  level?: LogLevel;
  /** Directory for `rmq.log`; created if missing. */
  logDir?: string;
  stderr?: boolean;
}

/** Sets where log lines go. Call once at process start-up. */
export function configureLogging(opts: LoggingOptions): void {
  if (opts.level) sinks.level = opts.level;
  if (opts.stderr !== undefined) sinks.stderr = opts.stderr;
  if (opts.logDir) {
    Deno.mkdirSync(opts.logDir, { recursive: true });
    sinks.file?.close();
    sinks.file = Deno.openSync(`${opts.logDir}/rmq.log`, { append: true, create: true });
  }
}

/** Closes the log file, if any. */
export function closeLogging(): void {
  sinks.file?.close();
  sinks.file = null;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

function timestamp(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${
    pad(d.getMinutes())
  }:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

function formatExtra(extra: unknown): string {
  if (extra === undefined) return "";
  if (extra instanceof Error) return ` ${extra.stack ?? extra.message}`;
  if (typeof extra === "string") return ` ${extra}`;
  try {
    return ` ${JSON.stringify(extra)}`;
  } catch {
    return ` ${String(extra)}`;
  }
}

export class Logger {
  constructor(readonly component: string) {}

  enabled(level: LogLevel): boolean {
    return LEVEL_RANK[level] >= LEVEL_RANK[sinks.level];
  }

  log(level: LogLevel, message: string, extra?: unknown): void {
    if (!this.enabled(level)) return;
    const line = `${timestamp(new Date())} ${level.padEnd(5)} [${this.component}] ${message}${
      formatExtra(extra)
    }\n`;
    const bytes = encoder.encode(line);
    if (sinks.stderr) {
      try {
        Deno.stderr.writeSync(bytes);
      } catch {
        // stderr closed (e.g. detached child): keep logging to the file.
      }
    }
    if (sinks.file) {
      try {
        sinks.file.writeSync(bytes);
      } catch {
        // A full disk must not take the server down because of a log line.
      }
    }
  }

  debug(message: string, extra?: unknown): void {
    this.log("DEBUG", message, extra);
  }
  info(message: string, extra?: unknown): void {
    this.log("INFO", message, extra);
  }
  warn(message: string, extra?: unknown): void {
    this.log("WARN", message, extra);
  }
  error(message: string, extra?: unknown): void {
    this.log("ERROR", message, extra);
  }
}

const loggers = new Map<string, Logger>();

/** Returns the logger for a component, e.g. `getLogger("namesrv")`. */
export function getLogger(component: string): Logger {
  let l = loggers.get(component);
  if (!l) {
    l = new Logger(component);
    loggers.set(component, l);
  }
  return l;
}
