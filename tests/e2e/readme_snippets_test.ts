/**
 * The README's TypeScript snippets are the code `readme_examples_test.ts` runs: every ```ts block of the
 * README (but the preamble that declares `namesrvAddr`) must equal, token for token, a snippet marked
 * `// README:<name>` … `// README end` in that test. Editing one without the other fails here.
 */
import assert from "node:assert/strict";

const root = new URL("../../", import.meta.url);

function markedSnippets(source: string): string[] {
  const lines = source.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\/\/ README:[\w-]+\s*$/.test(lines[i]!)) continue;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^\s*\/\/ README end\s*$/.test(lines[j]!)) body.push(lines[j++]!);
    assert.ok(j < lines.length, `snippet at line ${i + 1} has no "// README end"`);
    out.push(body.join("\n"));
  }
  return out;
}

/** Formatting may re-wrap lines and drop trailing commas; compare what remains. */
function normalize(code: string): string {
  return code.replace(/,(\s*[)\]}])/g, "$1").replace(/\s+/g, "");
}

Deno.test("every TypeScript snippet in the README is code the examples test runs", async () => {
  const readme = await Deno.readTextFile(new URL("README.md", root));
  const tested = new Set(
    markedSnippets(await Deno.readTextFile(new URL("tests/e2e/readme_examples_test.ts", root))).map(
      normalize,
    ),
  );
  let checked = 0;
  for (const m of readme.matchAll(/```ts\n([\s\S]*?)```/g)) {
    const code = normalize(m[1]!);
    if (code.includes("constnamesrvAddr=")) continue;
    assert.ok(tested.has(code), `README snippet is not in tests/e2e/readme_examples_test.ts:\n${m[1]}`);
    checked++;
  }
  assert.ok(checked >= 8, `expected the README's usage snippets, found ${checked}`);
});
