/** Producer commands (operations.md §1.4.4): producerConnection, producer. */
import type { AdminCommand } from "./command.ts";
import { opt } from "./options.ts";
import { javaFormat } from "./output.ts";
import { versionDesc } from "./version.ts";
import { createRequest, LANGUAGE_NAMES } from "../remoting/command.ts";
import { RequestCode } from "../remoting/request_code.ts";
import { type JsonValue, parseJson } from "../util/json.ts";

/** One producer instance of GET_ALL_PRODUCER_INFO (328), printed as upstream's ProducerInfo.toString(). */
export interface ProducerInfo {
  clientId: string;
  remoteIP: string;
  language: string;
  version: number;
  lastUpdateTimestamp: number;
}

const asObj = (v: JsonValue | undefined): Record<string, JsonValue> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? v : {};
const num = (v: JsonValue | undefined): number => {
  const n = typeof v === "bigint" ? Number(v) : Number(v ?? 0);
  return Number.isFinite(n) ? n : 0;
};

/** Reads a ProducerTableInfo body (`{"data":{"<group>":[ProducerInfo...]}}`); bad members read as empty. */
export function decodeProducerTableInfo(body: Uint8Array | undefined): Map<string, ProducerInfo[]> {
  const root = asObj(parseJson(new TextDecoder().decode(body ?? new Uint8Array()) || "{}"));
  const out = new Map<string, ProducerInfo[]>();
  for (const [group, list] of Object.entries(asObj(root.data))) {
    out.set(
      group,
      (Array.isArray(list) ? list : []).map((v) => {
        const o = asObj(v);
        // fastjson writes the language enum by name; accept an ordinal too.
        const lang = typeof o.language === "number"
          ? LANGUAGE_NAMES[o.language] ?? "OTHER"
          : String(o.language ?? "");
        return {
          clientId: String(o.clientId ?? ""),
          remoteIP: String(o.remoteIP ?? ""),
          language: lang,
          version: num(o.version),
          lastUpdateTimestamp: num(o.lastUpdateTimestamp),
        };
      }),
    );
  }
  return out;
}

const producer: AdminCommand = {
  name: "producer",
  group: "Producers",
  description: "Query producer's instances, connection, status, etc.",
  options: [opt("b", "broker", "broker address", true)],
  async run({ opts, out, admin }) {
    const res = await admin.invoke(opts.required("broker"), createRequest(RequestCode.GET_ALL_PRODUCER_INFO));
    for (const [group, list] of decodeProducerTableInfo(res.body)) {
      if (list.length === 0) {
        out.out(javaFormat("producer group (%s) instances are empty%n", group));
        continue;
      }
      for (const p of list) {
        out.out(
          javaFormat(
            "producer group (%s) instance : %s%n",
            group,
            `clientId=${p.clientId},remoteIP=${p.remoteIP}, language=${p.language}, version=${p.version}, ` +
              `lastUpdateTimestamp=${p.lastUpdateTimestamp}`,
          ),
        );
      }
    }
    return 0;
  },
};

const producerConnection: AdminCommand = {
  name: "producerConnection",
  group: "Producers",
  description: "Query producer's socket connection and client version",
  options: [opt("g", "producerGroup", "producer group name", true), opt("t", "topic", "topic name", true)],
  async run({ opts, out, admin }) {
    const pc = await admin.examineProducerConnectionInfo(
      opts.required("producerGroup"),
      opts.required("topic"),
    );
    let i = 1;
    for (const c of pc.connectionSet) {
      out.out(
        javaFormat(
          "%04d  %-32s %-22s %-8s %s%n",
          i++,
          c.clientId,
          c.clientAddr,
          c.language,
          versionDesc(c.version),
        ),
      );
    }
    return 0;
  },
};

/** Commands of the "Producers" group. */
export const PRODUCER_COMMANDS: AdminCommand[] = [producerConnection, producer];
