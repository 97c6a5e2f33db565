/** Small test helpers over node:assert/strict. */
import assert from "node:assert/strict";

/** Runs `f`, asserts it throws an instance of `cls`, and returns the error for further checks. */
export function thrownBy<E extends Error>(f: () => unknown, cls: new (...args: never[]) => E): E {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    return e;
  }
  assert.fail(`expected ${cls.name} to be thrown`);
}
