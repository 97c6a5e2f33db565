#!/usr/bin/env -S deno run -A
/**
 * The `rmq` command: argv → serve | admin | bench | version | help. Everything else lives under src/.
 * Exit statuses: 0 success, 1 runtime or configuration failure, 2 bad command line.
 */
import { mainHelp, serveHelp } from "./src/cli/help.ts";
import { versionLine } from "./src/cli/version.ts";

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case "serve":
      return (await import("./src/cli/serve.ts")).runServe(rest);
    case "admin":
      return (await import("./src/admin/main.ts")).runAdmin(rest);
    case "bench":
      return (await import("./src/bench/cli.ts")).runBench(rest);
    case "version":
    case "--version":
    case "-v":
      console.log(versionLine());
      return 0;
    case "help":
    case "--help":
    case "-h":
      console.log(rest[0] === "serve" ? serveHelp() : mainHelp());
      return 0;
    case undefined:
      console.error(mainHelp());
      return 2;
    default:
      console.error(`rmq: unknown command "${command}"\nRun "rmq --help" for usage.`);
      return 2;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
