import assert from "node:assert/strict";
import { thrownBy } from "./assert_util.ts";
import {
  formatProperties,
  parseProperties,
  parsePropertiesEntries,
  PropertiesSyntaxError,
} from "../../src/config/properties.ts";

const asObject = (text: string) => Object.fromEntries(parseProperties(text));

Deno.test("parseProperties() accepts key=value, key = value, key:value and key value", () => {
  assert.deepEqual(asObject("a=1\nb = 2\nc:3\nd : 4\ne 5\nf\t6\n"), {
    a: "1",
    b: "2",
    c: "3",
    d: "4",
    e: "5",
    f: "6",
  });
});

Deno.test("parseProperties() skips # and ! comment lines and blank lines, but has no end-of-line comments", () => {
  assert.deepEqual(asObject("# comment\n  ! also a comment\n\n   \nbrokerId=0  # master\n"), {
    brokerId: "0  # master",
  });
});

Deno.test("parseProperties() drops leading blanks of a value and keeps trailing ones", () => {
  assert.deepEqual(parseProperties("brokerRole =   SLAVE  ").get("brokerRole"), "SLAVE  ");
});

Deno.test("parseProperties() gives a key with no value the empty string", () => {
  assert.deepEqual(asObject("a\nb=\nc :\n"), { a: "", b: "", c: "" });
});

Deno.test("parseProperties() lets the last of repeated keys win while keeping first-seen order", () => {
  const map = parseProperties("x=1\ny=2\nx=3\n");
  assert.deepEqual([...map], [["x", "3"], ["y", "2"]]);
});

Deno.test("parseProperties() reads \\n, \\r and \\r\\n line endings alike", () => {
  assert.deepEqual(asObject("a=1\r\nb=2\rc=3\n"), { a: "1", b: "2", c: "3" });
});

Deno.test("parseProperties() joins a line ending in a backslash with the next, dropping its leading blanks", () => {
  const map = parseProperties("messageDelayLevel=1s 5s \\\n    10s 30s\nnext=1\n");
  assert.deepEqual(map.get("messageDelayLevel"), "1s 5s 10s 30s");
  assert.deepEqual(map.get("next"), "1");
});

Deno.test("parseProperties() continues only on an odd number of trailing backslashes", () => {
  assert.deepEqual(asObject("path=C:\\\\dir\\\\\nnext=1\n"), { path: "C:\\dir\\", next: "1" });
});

Deno.test("parseProperties() does not continue a comment line", () => {
  assert.deepEqual(asObject("# comment \\\nkey=v\n"), { key: "v" });
});

Deno.test("parseProperties() resolves escapes in keys and values", () => {
  assert.deepEqual(
    asObject("a\\=b=c\\:d\ntab=x\\ty\nuni=\\u0041\\u00e9\nspace\\ key=v\nother=\\q\\#\n"),
    { "a=b": "c:d", tab: "x\ty", uni: "Aé", "space key": "v", other: "q#" },
  );
});

Deno.test("parseProperties() treats only the first separator after the key as a separator", () => {
  assert.deepEqual(parseProperties("key = = v").get("key"), "= v");
  assert.deepEqual(parseProperties("url=http://host:8080/x").get("url"), "http://host:8080/x");
});

Deno.test("parseProperties() keeps both maped and mapped spellings as written (the loader maps them)", () => {
  assert.deepEqual(asObject("mapedFileSizeCommitLog=1024\nmappedFileSizeConsumeQueue=6000\n"), {
    mapedFileSizeCommitLog: "1024",
    mappedFileSizeConsumeQueue: "6000",
  });
});

Deno.test("parsePropertiesEntries() reports the line each logical line starts on", () => {
  const entries = parsePropertiesEntries("# header\n\nbrokerName=broker-a\nlist=a,\\\n  b\nbrokerId=0\n");
  assert.deepEqual(entries, [
    { key: "brokerName", value: "broker-a", line: 3 },
    { key: "list", value: "a,b", line: 4 },
    { key: "brokerId", value: "0", line: 6 },
  ]);
});

Deno.test("parseProperties() rejects a malformed \\u escape naming the line", () => {
  const err = thrownBy(() => parseProperties("ok=1\nbad=\\u12G4\n"), PropertiesSyntaxError);
  assert.deepEqual(err.line, 2);
  assert.deepEqual(err.message, 'Malformed \\uXXXX escape "\\u12G4" on line 2');
});

Deno.test("parseProperties() drops a backslash at the very end of the file", () => {
  assert.deepEqual(asObject("a=1\\"), { a: "1" });
});

Deno.test("formatProperties() writes key=value lines and skips null values", () => {
  assert.deepEqual(formatProperties([["a", 1], ["b", null], ["c", "x y"]]), "a=1\nc=x y\n");
});
