/** The rmq version, read from deno.json so there is one place to bump it. */
import denoJson from "../../deno.json" with { type: "json" };

/** rmq's version, e.g. "0.1.0". */
export const VERSION: string = denoJson.version;

/** The line `rmq version` prints, e.g. `rmq 0.1.0 (deno 2.9.6, x86_64-unknown-linux-gnu)`. */
export function versionLine(): string {
  return `rmq ${VERSION} (deno ${Deno.version.deno}, ${Deno.build.target})`;
}
