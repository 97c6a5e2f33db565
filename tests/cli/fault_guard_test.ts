/** The serving process's guard against bugs that would otherwise end it (src/cli/fault_guard.ts). */
import assert from "node:assert/strict";

const GUARD = new URL("../../src/cli/fault_guard.ts", import.meta.url).href;
const LOGGER = new URL("../../src/log/logger.ts", import.meta.url).href;

/** Runs `body` in a child Deno process after the given setup lines; returns its exit code and output. */
async function child(setup: string, body: string) {
  const src = `import { installFaultGuard } from "${GUARD}";
import { getLogger } from "${LOGGER}";
${setup}
${body}
setTimeout(() => console.log("still serving"), 100);
`;
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "-"],
    env: { NO_COLOR: "1" },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const w = out.stdin.getWriter();
  await w.write(new TextEncoder().encode(src));
  await w.close();
  const r = await out.output();
  const dec = new TextDecoder();
  return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
}

const FAULTS = `Promise.reject(new Error("lost rejection"));
setTimeout(() => { throw new Error("escaped a timer"); }, 10);`;

Deno.test("with the guard, an unhandled rejection and an exception in a timer are logged and the process goes on", async () => {
  const r = await child(`installFaultGuard(getLogger("test"));`, FAULTS);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "still serving\n");
  assert.match(r.stderr, /ERROR \[test\] Unhandled promise rejection .*lost rejection/s);
  assert.match(r.stderr, /ERROR \[test\] Uncaught exception .*escaped a timer/s);
});

Deno.test("without the guard the runtime's default stands: the process ends on the first unhandled rejection", async () => {
  const r = await child("", FAULTS);
  assert.notEqual(r.code, 0);
  assert.equal(r.stdout, "");
  assert.match(r.stderr, /lost rejection/);
});

Deno.test("removing the guard restores the default", async () => {
  const r = await child(`installFaultGuard(getLogger("test"))();`, FAULTS);
  assert.notEqual(r.code, 0);
  assert.equal(r.stdout, "");
});
