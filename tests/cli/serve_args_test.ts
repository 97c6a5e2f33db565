import assert from "node:assert/strict";
import { parseServeArgs, UsageError } from "../../src/cli/serve_args.ts";
import { thrownBy } from "../config/assert_util.ts";

Deno.test("parseServeArgs() reads the role, -c, -n and -p in both spellings", () => {
  assert.deepEqual(parseServeArgs(["--role=broker", "-c", "conf/broker.conf", "-n", "h:1", "-p"]), {
    role: "broker",
    configFile: "conf/broker.conf",
    namesrvAddr: "h:1",
    print: "all",
    help: false,
    strict: false,
    overrides: [],
  });
  const long = parseServeArgs(["--role", "namesrv", "--configFile=x.conf", "--printImportantConfig"]);
  assert.equal(long.role, "namesrv");
  assert.equal(long.configFile, "x.conf");
  assert.equal(long.print, "important");
});

Deno.test("parseServeArgs() turns any --key=value into an override, in order", () => {
  const args = parseServeArgs(["--role=all", "--listenPort=1", "--messageDelayLevel=1s 2s", "--aclEnable"]);
  assert.deepEqual(args.overrides, [["listenPort", "1"], ["messageDelayLevel", "1s 2s"], [
    "aclEnable",
    "true",
  ]]);
});

Deno.test("parseServeArgs() keeps '=' inside a value", () => {
  assert.deepEqual(parseServeArgs(["--x=a=b"]).overrides, [["x", "a=b"]]);
});

Deno.test("parseServeArgs() rejects an unknown role", () => {
  const err = thrownBy(() => parseServeArgs(["--role=proxy"]), UsageError);
  assert.equal(err.message, 'Unknown role "proxy": expected one of namesrv, broker, all');
});

Deno.test("parseServeArgs() rejects an option missing its value", () => {
  assert.equal(thrownBy(() => parseServeArgs(["-c"]), UsageError).message, "Option -c needs a value");
  thrownBy(() => parseServeArgs(["-n", "-p"]), UsageError);
});

Deno.test("parseServeArgs() rejects a bare key=value word and suggests the flag form", () => {
  const err = thrownBy(() => parseServeArgs(["--role=broker", "autoCreateTopicEnable=true"]), UsageError);
  assert.equal(
    err.message,
    'Unexpected argument "autoCreateTopicEnable=true"; did you mean "--autoCreateTopicEnable=true"?',
  );
});

Deno.test("parseServeArgs() rejects unknown short options and stray words", () => {
  assert.equal(thrownBy(() => parseServeArgs(["-x"]), UsageError).message, 'Unknown option "-x"');
  assert.equal(
    thrownBy(() => parseServeArgs(["broker"]), UsageError).message,
    'Unexpected argument "broker"',
  );
  thrownBy(() => parseServeArgs(["--=1"]), UsageError);
});

Deno.test("parseServeArgs() reads --strict as a flag, not as a config key", () => {
  const args = parseServeArgs(["--role=broker", "--strict"]);
  assert.equal(args.strict, true);
  assert.deepEqual(args.overrides, []);
  thrownBy(() => parseServeArgs(["--strict=false"]), UsageError);
});
