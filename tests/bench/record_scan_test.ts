import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { scanRecords } from "../../src/bench/record_scan.ts";
import { encodeRecord, recordSizeOf } from "../../src/message/record_codec.ts";
import type { MessageExtBrokerInner } from "../../src/message/message.ts";
import { MessageSysFlag } from "../../src/message/message_const.ts";

function record(born: number, stored: number, v6Born = false): Uint8Array {
  const v4 = { ip: new Uint8Array([127, 0, 0, 1]), port: 10911 };
  const v6 = { ip: new Uint8Array(16).fill(1), port: 10911 };
  const msg: MessageExtBrokerInner = {
    topic: "BenchmarkTest",
    queueId: 1,
    flag: 0,
    body: new Uint8Array(100).fill(65),
    properties: { WAIT: "true" },
    propertiesString: "WAIT\u0001true",
    tagsCode: 0,
    sysFlag: v6Born ? MessageSysFlag.BORNHOST_V6_FLAG : 0,
    bornTimestamp: born,
    bornHost: v6Born ? v6 : v4,
    storeHost: v4,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    storeTimestamp: stored,
  };
  const buf = new Uint8Array(recordSizeOf(msg));
  encodeRecord(msg, 7, 4096, buf, 0);
  return buf;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

Deno.test("scanRecords() reports each record's born and store timestamps, IPv6 born hosts included", () => {
  const body = concat(
    record(1_700_000_000_001, 1_700_000_000_005),
    record(1_700_000_000_010, 1_700_000_000_020, true),
  );
  const seen: [number, number][] = [];
  assertEquals(scanRecords(body, (b, s) => seen.push([b, s])), 2);
  assertEquals(seen, [[1_700_000_000_001, 1_700_000_000_005], [1_700_000_000_010, 1_700_000_000_020]]);
});

Deno.test("scanRecords() stops at a truncated record instead of reading past the body", () => {
  const whole = record(1, 2);
  const body = concat(whole, whole.subarray(0, whole.length - 10));
  assertEquals(scanRecords(body), 1);
  assertEquals(scanRecords(new Uint8Array(0)), 0);
  assertEquals(scanRecords(new Uint8Array(200)), 0);
});
