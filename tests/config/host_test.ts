import assert from "node:assert/strict";
import { detectHostIPv4, expandHome, isWildcardHost } from "../../src/config/host.ts";

Deno.test("expandHome() expands ~, ${user.home}, ${HOME} and $HOME prefixes", () => {
  assert.equal(expandHome("~", "/h"), "/h");
  assert.equal(expandHome("~/store", "/h"), "/h/store");
  assert.equal(expandHome("${user.home}/store", "/h"), "/h/store");
  assert.equal(expandHome("${HOME}/logs", "/h"), "/h/logs");
  assert.equal(expandHome("$HOME/logs", "/h"), "/h/logs");
});

Deno.test("expandHome() leaves other paths alone, including ~user and mid-path tildes", () => {
  assert.equal(expandHome("~other/store", "/h"), "~other/store");
  assert.equal(expandHome("/data/~/store", "/h"), "/data/~/store");
  assert.equal(expandHome("$HOMEDIR/x", "/h"), "$HOMEDIR/x");
  assert.equal(expandHome("relative/dir", "/h"), "relative/dir");
});

Deno.test("detectHostIPv4() returns a dotted IPv4 address that is not link-local", () => {
  const ip = detectHostIPv4();
  assert.match(ip, /^\d{1,3}(\.\d{1,3}){3}$/);
  assert.equal(ip.startsWith("169.254."), false);
});

Deno.test("isWildcardHost() recognises the every-interface bind addresses", () => {
  assert.deepEqual(["0.0.0.0", "::", "", "127.0.0.1"].map(isWildcardHost), [true, true, true, false]);
});
