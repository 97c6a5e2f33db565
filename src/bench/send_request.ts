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
import { encodeSendMessageRequestHeaderV2 } from "../protocol/headers/send.ts";
import { encodeBatchBody } from "../message/batch_codec.ts";
import { MessageConst, NAME_VALUE_SEPARATOR, PROPERTY_SEPARATOR } from "../message/message_const.ts";
import { createUniqId } from "../message/msg_id.ts";
import { AUTO_CREATE_TOPIC, type BenchQueue, DEFAULT_TOPIC_QUEUE_NUMS } from "./route.ts";

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
