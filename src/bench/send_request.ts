/**
 * Builds the benchmark producer's requests: SEND_MESSAGE_V2 (310), or SEND_BATCH_MESSAGE (320) with
 * --batch, from a header template precomputed per queue so each send only stamps what changes (born
 * timestamp, UNIQ_KEY). The body and the fixed properties are built once per run.
 */
import {
  type ExtFields,
  newOpaque,
  type RemotingCommand,
  RMQ_VERSION_ORDINAL,
  SerializeType,
} from "../remoting/command.ts";
import { RequestCode } from "../remoting/request_code.ts";
import { encodeJsonFrame } from "../remoting/codec.ts";
import { encodeSendMessageRequestHeaderV2 } from "../protocol/headers/send.ts";
import { encodeBatchBody } from "../message/batch_codec.ts";
import { MessageConst, NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR } from "../message/message_const.ts";
import { createUniqId } from "../message/msg_id.ts";
import { AUTO_CREATE_TOPIC, type BenchQueue, DEFAULT_TOPIC_QUEUE_NUMS } from "./route.ts";

/** A ready-to-write request frame and what the client needs to match its response. */
export interface SendFrame {
  queue: BenchQueue;
  frame: Uint8Array;
  opaque: number;
  code: number;
}

/** `s` as it appears between the quotes of a JSON string. */
function jsonInner(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/** What shapes every message of a run. */
export interface MessageShape {
  topic: string;
  producerGroup: string;
  messageSize: number;
  keyEnable: boolean;
  propertySize: number;
  tagCount: number;
  delayEnable: boolean;
  delayLevel: number;
  /** Messages per request; 1 = SEND_MESSAGE_V2. */
  batch: number;
  serializeType: "JSON" | "ROCKETMQ";
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** `size` random alphanumeric bytes, as upstream's benchmark bodies are. */
export function randomBody(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    out[i] = ALPHANUMERIC.charCodeAt(Math.floor(Math.random() * ALPHANUMERIC.length));
  }
  return out;
}

function prop(name: string, value: string): string {
  return name + NAME_VALUE_SEPARATOR + value;
}

/** User properties `key<n>=value<n>` until their encoded length reaches `size` (upstream's -p). */
export function filler(size: number): string[] {
  const out: string[] = [];
  let length = 0;
  for (let n = 0; length < size; n++) {
    const p = prop(`key${n}`, `value${n}`);
    out.push(p);
    length += p.length + 1;
  }
  return out;
}

/**
 * Produces ready-to-send requests, round-robin over `queues`.
 *
 * @example
 * ```ts
 * const f = new SendRequestFactory(shape, queues);
 * const [queue, cmd] = f.next(Date.now());
 * await client.invokeSync(queue.addr, cmd, 3000);
 * ```
 */
export class SendRequestFactory {
  readonly #queues: readonly BenchQueue[];
  readonly #templates: ExtFields[];
  readonly #shape: MessageShape;
  readonly #body: Uint8Array;
  /** The properties every message carries after UNIQ_KEY, already joined. */
  readonly #fixedProps: string;
  readonly #serializeType: SerializeType;
  /** Per queue, the JSON text of every extFields entry but g (born time) and i (properties). */
  readonly #fixedExtJson: string[];
  /** The escaped pieces of the properties text, so a message costs no JSON escaping (see nextFrame). */
  readonly #escaped: { uniq: string; tags: string; keys: string; fixed: string };
  #next = 0;
  #tag = 0;

  constructor(shape: MessageShape, queues: readonly BenchQueue[], autoCreate = false) {
    if (queues.length === 0) throw new Error(`Topic "${shape.topic}" has no queue to send to`);
    this.#shape = shape;
    this.#queues = queues;
    this.#body = randomBody(shape.messageSize);
    this.#serializeType = shape.serializeType === "ROCKETMQ" ? SerializeType.ROCKETMQ : SerializeType.JSON;
    const fixed = [prop(MessageConst.WAIT, "true")];
    if (shape.delayEnable) fixed.push(prop(MessageConst.DELAY, String(shape.delayLevel)));
    fixed.push(...filler(shape.propertySize));
    this.#fixedProps = fixed.join(PROPERTY_SEPARATOR);
    this.#templates = queues.map((q) =>
      encodeSendMessageRequestHeaderV2({
        producerGroup: shape.producerGroup,
        topic: shape.topic,
        defaultTopic: AUTO_CREATE_TOPIC,
        defaultTopicQueueNums: autoCreate ? DEFAULT_TOPIC_QUEUE_NUMS : queues.length,
        queueId: q.queueId,
        sysFlag: 0,
        bornTimestamp: 0,
        flag: 0,
        reconsumeTimes: 0,
        unitMode: false,
        batch: shape.batch > 1,
        maxReconsumeTimes: 16,
      })
    );
    this.#fixedExtJson = this.#templates.map((t) => {
      const { g: _g, i: _i, ...fixed } = t;
      return JSON.stringify(fixed).slice(1, -1);
    });
    const sep = PROPERTY_SEPARATOR;
    this.#escaped = {
      uniq: jsonInner(prop(MessageConst.UNIQ_KEY, "")),
      tags: jsonInner(sep + prop(MessageConst.TAGS, "tag")),
      keys: jsonInner(sep + prop(MessageConst.KEYS, "")),
      fixed: this.#fixedProps === "" ? "" : jsonInner(sep + this.#fixedProps),
    };
  }

  /**
   * True when {@link nextFrame} can be used: single messages with JSON headers (the Java client's
   * default). Batches and binary headers go through {@link next} and the general encoder.
   */
  get framesSupported(): boolean {
    return this.#shape.batch === 1 && this.#serializeType === SerializeType.JSON;
  }

  /**
   * The next request already encoded, equal on the wire to what {@link next} would give: the header text
   * is stamped from per-queue pieces escaped once per run, which keeps the benchmark client's CPU (it
   * shares the machine with the broker) from limiting what is measured. Needs {@link framesSupported}.
   */
  nextFrame(now: number): SendFrame {
    const i = this.#next;
    this.#next = (i + 1) % this.#queues.length;
    const s = this.#shape;
    const e = this.#escaped;
    // Variable parts (hex id, tag number, digits) need no escaping.
    let props = e.uniq + createUniqId(now);
    if (s.tagCount > 0) {
      props += e.tags + this.#tag;
      this.#tag = (this.#tag + 1) % s.tagCount;
    }
    if (s.keyEnable) props += e.keys + Math.floor(now / 1000);
    props += e.fixed;
    const opaque = newOpaque();
    const code = RequestCode.SEND_MESSAGE_V2;
    const text = `{"code":${code},"extFields":{${this.#fixedExtJson[i]},"g":"${now}","i":"${props}"},` +
      `"flag":0,"language":"JAVA","opaque":${opaque},"serializeTypeCurrentRPC":"JSON",` +
      `"version":${RMQ_VERSION_ORDINAL}}`;
    return { queue: this.#queues[i]!, frame: encodeJsonFrame(text, this.#body), opaque, code };
  }

  /** Bytes of body per message. */
  get messageSize(): number {
    return this.#body.length;
  }

  /** The per-message properties string: UNIQ_KEY first, then tags and keys, then the fixed ones. */
  #properties(now: number): string {
    let p = prop(MessageConst.UNIQ_KEY, createUniqId(now));
    const s = this.#shape;
    if (s.tagCount > 0) {
      p += PROPERTY_SEPARATOR + prop(MessageConst.TAGS, `tag${this.#tag}`);
      this.#tag = (this.#tag + 1) % s.tagCount;
    }
    if (s.keyEnable) p += PROPERTY_SEPARATOR + prop(MessageConst.KEYS, String(Math.floor(now / 1000)));
    return this.#fixedProps === "" ? p : p + PROPERTY_SEPARATOR + this.#fixedProps;
  }

  /** The next queue and a fresh request for it, born at `now` (epoch ms). */
  next(now: number): [BenchQueue, RemotingCommand] {
    const i = this.#next;
    this.#next = (i + 1) % this.#queues.length;
    const ext: ExtFields = { ...this.#templates[i]!, g: String(now) };
    let body: Uint8Array;
    if (this.#shape.batch > 1) {
      const items = [];
      for (let n = 0; n < this.#shape.batch; n++) {
        items.push({ flag: 0, body: this.#body, propertiesString: this.#properties(now) });
      }
      body = encodeBatchBody(items);
    } else {
      ext["i"] = this.#properties(now);
      body = this.#body;
    }
    const cmd: RemotingCommand = {
      code: this.#shape.batch > 1 ? RequestCode.SEND_BATCH_MESSAGE : RequestCode.SEND_MESSAGE_V2,
      language: "JAVA",
      version: RMQ_VERSION_ORDINAL,
      opaque: newOpaque(),
      flag: 0,
      extFields: ext,
      body,
      serializeType: this.#serializeType,
    };
    return [this.#queues[i]!, cmd];
  }
}
