/**
 * Builds the single-file `rmq` executable: `deno run -A scripts/compile.ts [extra deno compile flags]`
 * (also `deno task compile`). Output: dist/rmq (dist/rmq.exe on Windows).
 *
 * Offline builds: `deno compile` normally downloads the `denort` runtime for the target. It reads the
 * environment variable DENORT_BIN (not listed in `deno compile --help`, but honoured by Deno 2.x — the
 * name is in the deno binary) to use a local denort instead. This script passes the environment through
 * unchanged and only checks that a DENORT_BIN it was given exists, so a typo fails fast with a clear line.
 */

const root = new URL("..", import.meta.url);
const output = Deno.build.os === "windows" ? "dist/rmq.exe" : "dist/rmq";

const denort = Deno.env.get("DENORT_BIN");
if (denort !== undefined) {
  try {
    Deno.statSync(denort);
  } catch {
    console.error(`compile: DENORT_BIN "${denort}" does not exist`);
    Deno.exit(1);
  }
  console.error(`compile: using denort from DENORT_BIN=${denort}`);
}

const args = ["compile", "-A", "--output", output, ...Deno.args, "main.ts"];
console.error(`compile: deno ${args.join(" ")}`);
const { code } = await new Deno.Command(Deno.execPath(), {
  args,
  cwd: root,
  stdout: "inherit",
  stderr: "inherit",
}).output();
if (code !== 0 && denort === undefined) {
  console.error(
    "compile: if the failure above is a download error, point DENORT_BIN at a local denort " +
      `${Deno.version.deno} binary for this target (from denort-<target>.zip of the Deno release)`,
  );
}
Deno.exit(code);
