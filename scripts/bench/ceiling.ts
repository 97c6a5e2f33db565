/**
 * The raw ceilings of this machine that rmq's figures are compared with, measured in the same run:
 * request/ack round trips over Deno TCP at a given concurrency (against tcp_ack_server.ts in its own
 * process), and the same bytes written in batches with fdatasync.
 */
import { Histogram, type HistogramSummary } from "../../src/bench/histogram.ts";
import { roundSummary } from "../../src/bench/report.ts";
import { FrameCounter, makeFrame, repeatFrame } from "./tcp_frames.ts";

/** Result of one ceiling measurement. */
export interface CeilingResult {
  /** Requests (TCP) or records (disk) per second. */
  perSec: number;
  latencyMs?: HistogramSummary;
}

/** A running tcp_ack_server.ts child. */
export interface AckServer {
  port: number;
  stop(): Promise<void>;
}

/** Starts tcp_ack_server.ts in its own Deno process and reads its port. */
export async function startAckServer(): Promise<AckServer> {
  const script = new URL("./tcp_ack_server.ts", import.meta.url).pathname;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error("The TCP ack server exited before printing its port");
    text += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const port = Number(text.trim());
  return {
    port,
    async stop() {
      await child.stdin.close();
      await child.stdout.cancel();
      await child.status;
    },
  };
}

/**
 * Keeps `concurrency` requests of `requestSize` bytes in flight on one connection for `durationMs`, each
 * answered with `replySize` bytes; refills in one write per read, as a pipelining client does.
 */
export async function tcpCeiling(
  port: number,
  concurrency: number,
  requestSize: number,
  replySize: number,
  durationMs: number,
): Promise<CeilingResult> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  conn.setNoDelay(true);
  const frame = makeFrame(requestSize, replySize);
  const sentAt: number[] = [];
  let head = 0;
  const hist = new Histogram();
  const counter = new FrameCounter();
  const buf = new Uint8Array(256 * 1024);
  let writing: Promise<void> = Promise.resolve();
  const send = (n: number) => {
    const now = performance.now();
    for (let i = 0; i < n; i++) sentAt.push(now);
    const out = n === 1 ? frame : repeatFrame(frame, n);
    writing = writing.then(async () => {
      let off = 0;
      while (off < out.length) off += await conn.write(out.subarray(off));
    });
  };
  const start = performance.now();
  const end = start + durationMs;
  let done = 0;
  let stoppedAt = 0;
  send(concurrency);
  try {
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      const k = counter.push(buf.subarray(0, n));
      if (k === 0) continue;
      const now = performance.now();
      for (let i = 0; i < k; i++) hist.record((now - sentAt[head++]!) * 1000);
      if (head > 65536) {
        sentAt.splice(0, head);
        head = 0;
      }
      if (now < end) {
        done += k;
        send(k);
      } else {
        if (stoppedAt === 0) stoppedAt = now;
        if (head >= sentAt.length) break;
      }
    }
    await writing;
  } finally {
    conn.close();
  }
  const seconds = ((stoppedAt || performance.now()) - start) / 1000;
  return { perSec: Math.round(done / seconds), latencyMs: roundSummary(hist.summary(1000)) };
}

/**
 * Writes `batch` records of `recordSize` bytes per write followed by fdatasync, for `durationMs`, cycling
 * through a preallocated file in `dir` so the figure is not about growing a file. With `sync` false it
 * only syncs every 64 MiB, which is what an async-flush store's background flush amounts to.
 */
export async function diskCeiling(
  dir: string,
  recordSize: number,
  batch: number,
  durationMs: number,
  sync = true,
): Promise<CeilingResult> {
  const fileSize = 256 * 1024 * 1024;
  const path = `${dir}/ceiling.data`;
  const file = await Deno.open(path, { read: true, write: true, create: true });
  try {
    const chunk = new Uint8Array(batch * recordSize).fill(0x41);
    if ((await file.stat()).size < fileSize) {
      const zero = new Uint8Array(4 * 1024 * 1024);
      for (let off = 0; off < fileSize; off += zero.length) await file.write(zero);
      await file.syncData();
    }
    await file.seek(0, Deno.SeekMode.Start);
    let pos = 0;
    let records = 0;
    let sinceSync = 0;
    const start = performance.now();
    while (performance.now() - start < durationMs) {
      if (pos + chunk.length > fileSize) {
        await file.seek(0, Deno.SeekMode.Start);
        pos = 0;
      }
      let off = 0;
      while (off < chunk.length) off += await file.write(chunk.subarray(off));
      pos += chunk.length;
      sinceSync += chunk.length;
      if (sync || sinceSync >= 64 * 1024 * 1024) {
        await file.syncData();
        sinceSync = 0;
      }
      records += batch;
    }
    return { perSec: Math.round(records / ((performance.now() - start) / 1000)) };
  } finally {
    file.close();
    await Deno.remove(path).catch(() => {});
  }
}
