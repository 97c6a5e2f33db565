/**
 * `deno task bench [store|compare|producer|consumer] [options]`.
 *
 * With no argument it runs the store append benchmark (self-contained, no server needed). `producer` and
 * `consumer` are `rmq bench producer|consumer` against a running rmq; `compare` starts rmq itself and
 * prints the table of rmq figures against this machine's raw ceilings.
 */
import { runBench } from "../../src/bench/cli.ts";

const [tool = "store", ...rest] = Deno.args;

/**
 * The benchmark clients' young generation (MiB), also set on this task in deno.json for `producer` and
 * `consumer`: with thousands of requests in flight, each request's objects outlive V8's default young
 * generation and were promoted, so the client spent ~20% of its CPU in garbage collection (old-space
 * collections every ~200 ms). Measured at 4096 outstanding sends: client CPU per message -7 to -12%. The
 * store benchmark and the broker keep V8's defaults.
 */
const CLIENT_V8_FLAGS = "--v8-flags=--max-semi-space-size=64";

async function runScript(name: string, args: string[], denoFlags: string[] = []): Promise<number> {
  const script = new URL(`./${name}.ts`, import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...denoFlags, script, ...args],
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  return (await child.status).code;
}

let code: number;
switch (tool) {
  case "store":
    code = await runScript(tool, rest);
    break;
  case "compare":
    // The comparison's clients run in its own process.
    code = await runScript(tool, rest, [CLIENT_V8_FLAGS]);
    break;
  default:
    code = await runBench([tool, ...rest]);
}
Deno.exit(code);
