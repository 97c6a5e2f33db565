/**
 * Reads ConsumeStatsList, the GET_BROKER_CONSUME_STATS (317) body (remoting-protocol.md §5.8):
 * `{"brokerAddr":…,"consumeStatsList":[{"<group>":[ConsumeStats,…]},…],"totalDiff":n}` where each
 * ConsumeStats has a fastjson object-keyed `offsetTable`.
 */
import { isEntryMap, type LooseValue, parseLooseJson } from "../protocol/bodies/object_key_map.ts";
import { type MessageQueue, toMessageQueue } from "../protocol/bodies/message_queue.ts";
import type { OffsetWrapper } from "../protocol/bodies/stats.ts";

/** One group's per-queue progress on one broker. */
export interface GroupConsumeStats {
  group: string;
  offsetTable: Array<[MessageQueue, OffsetWrapper]>;
}

/** The decoded body. */
export interface ConsumeStatsList {
  brokerAddr: string;
  totalDiff: number;
  stats: GroupConsumeStats[];
}

type LooseObject = { [key: string]: LooseValue };

function asObject(v: LooseValue | undefined): LooseObject {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !isEntryMap(v) ? v as LooseObject : {};
}

function num(v: LooseValue | undefined): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return 0;
}

/** Parses a ConsumeStatsList body; malformed parts are skipped rather than fatal. */
export function decodeConsumeStatsList(body: Uint8Array): ConsumeStatsList {
  const root = asObject(parseLooseJson(new TextDecoder().decode(body)));
  const out: ConsumeStatsList = {
    brokerAddr: typeof root.brokerAddr === "string" ? root.brokerAddr : "",
    totalDiff: num(root.totalDiff),
    stats: [],
  };
  const list = Array.isArray(root.consumeStatsList) ? root.consumeStatsList : [];
  for (const item of list) {
    for (const [group, arr] of Object.entries(asObject(item))) {
      for (const cs of Array.isArray(arr) ? arr : []) {
        const table = asObject(cs).offsetTable;
        const offsetTable: Array<[MessageQueue, OffsetWrapper]> = [];
        for (const [k, v] of isEntryMap(table) ? table.entries : []) {
          const mq = toMessageQueue(k);
          const w = asObject(v);
          if (mq) {
            offsetTable.push([mq, {
              brokerOffset: num(w.brokerOffset),
              consumerOffset: num(w.consumerOffset),
              lastTimestamp: num(w.lastTimestamp),
            }]);
          }
        }
        out.stats.push({ group, offsetTable });
      }
    }
  }
  return out;
}
