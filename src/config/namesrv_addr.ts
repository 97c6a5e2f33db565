/**
 * Validation of name server lists (`namesrvAddr`, `-n`, NAMESRV_ADDR). Upstream refuses a broker whose
 * list has an entry that is not `host:port`; we do the same at load time, and also accept `,` as a
 * separator and surrounding blanks (operations.md §6.2).
 */
import { ConfigError } from "./schema.ts";

const ENTRY = /^(\[[0-9A-Fa-f:.]+\]|[^\s:;,\[\]]+):(\d{1,5})$/;

/**
 * Returns the list in canonical form (`host:port;host:port`), or "" for an empty list.
 *
 * @example normalizeNamesrvAddr(" 10.0.0.1:9876 , 10.0.0.2:9876") === "10.0.0.1:9876;10.0.0.2:9876"
 * @throws {ConfigError} naming the first entry that is not `host:port` with a port in 1–65535.
 */
export function normalizeNamesrvAddr(value: string, source = "namesrvAddr"): string {
  const parts = value.split(/[;,]/).map((p) => p.trim()).filter((p) => p !== "");
  for (const p of parts) {
    const m = ENTRY.exec(p);
    const port = m ? Number(m[2]) : 0;
    if (!m || port < 1 || port > 65535) {
      throw new ConfigError(
        `Invalid name server address "${p}" in ${source} "${value}": expected host:port entries separated by ";", e.g. "127.0.0.1:9876;192.168.0.1:9876"`,
      );
    }
  }
  return parts.join(";");
}
