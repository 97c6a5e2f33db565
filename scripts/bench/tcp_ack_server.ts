/**
 * The far end of the TCP ceiling: a separate Deno process (like the broker) that answers every frame
 * with a frame of the size the request asks for, replies to one read coalesced into one write.
 * Prints its port on stdout, exits when stdin closes.
 *
 * Usage: deno run -A scripts/bench/tcp_ack_server.ts
 */
import { FrameCounter, makeFrame, repeatFrame } from "./tcp_frames.ts";

async function serve(conn: Deno.TcpConn): Promise<void> {
  conn.setNoDelay(true);
  const counter = new FrameCounter();
  const buf = new Uint8Array(256 * 1024);
  const replies = new Map<number, Uint8Array>();
  let writing: Promise<void> = Promise.resolve();
  try {
    while (true) {
      const n = await conn.read(buf);
      if (n === null) break;
      let size = 8;
      const done = counter.push(buf.subarray(0, n), (replyLength) => size = replyLength);
      if (done === 0) continue;
      let one = replies.get(size);
      if (!one) replies.set(size, one = makeFrame(size, 0));
      const out = done === 1 ? one : repeatFrame(one, done);
      // Keep reading while the reply is written; writes stay ordered.
      writing = writing.then(async () => {
        let off = 0;
        while (off < out.length) off += await conn.write(out.subarray(off));
      });
    }
    await writing;
  } catch {
    // The client went away mid-run; nothing to report.
  } finally {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  }
}

if (import.meta.main) {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  console.log((listener.addr as Deno.NetAddr).port);
  (async () => {
    // The parent closes our stdin when it is done with us.
    for await (const _ of Deno.stdin.readable) { /* drain */ }
    Deno.exit(0);
  })();
  for await (const conn of listener) serve(conn as Deno.TcpConn);
}
