/**
 * `deno task bench [store|compare|producer|consumer] [options]`.
 *
 * With no argument it runs the store append benchmark (self-contained, no server needed). `producer` and
 * `consumer` are `rmq bench producer|consumer` against a running rmq; `compare` starts rmq itself and
 * prints the table of rmq figures against this machine's raw ceilings.
 */
import { runBench } from "../../src/bench/cli.ts";

const [tool = "store", ...rest] = Deno.args;

async function runScript(name: string, args: string[]): Promise<number> {
  const script = new URL(`./${name}.ts`, import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...args],
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  return (await child.status).code;
}

let code: number;
switch (tool) {
  case "store":
  case "compare":
    code = await runScript(tool, rest);
    break;
  default:
    code = await runBench([tool, ...rest]);
}
Deno.exit(code);
