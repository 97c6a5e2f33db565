import { deepStrictEqual as assertEquals, ok as assert, rejects as assertRejects } from "node:assert/strict";
import {
  createRequest,
  createResponse,
  FLAG_ONEWAY,
  type RemotingCommand,
  SerializeType,
} from "../../src/remoting/command.ts";
import { decodeCommand, encodeCommand } from "../../src/remoting/codec.ts";
import { RemotingClient } from "../../src/remoting/client.ts";
import { RemotingConnectError, RemotingSendError, RemotingTimeoutError } from "../../src/remoting/errors.ts";
import { FrameDecoder } from "../../src/remoting/frame_decoder.ts";
import {
  type RemotingChannel,
  RemotingServer,
  type RemotingServerOptions,
} from "../../src/remoting/server.ts";
import { RequestCode } from "../../src/remoting/request_code.ts";
import { ResponseCode } from "../../src/remoting/response_code.ts";
import { configureLogging } from "../../src/log/logger.ts";

// Protocol-error tests log WARN lines on purpose; keep the test output readable.
configureLogging({ stderr: false });

const ECHO = 1000;
const enc = new TextEncoder();
const dec = new TextDecoder();

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Ctx {
  server: RemotingServer;
  client: RemotingClient;
  addr: string;
}

/** Runs `fn` against a started server (with an ECHO processor) and a client, and tears both down. */
async function withServer(
  fn: (ctx: Ctx) => Promise<void>,
  opts: Partial<RemotingServerOptions> = {},
): Promise<void> {
  const server = new RemotingServer({ hostname: "127.0.0.1", port: 0, name: "test-server", ...opts });
  server.registerProcessor(
    ECHO,
    (req) => createResponse(req, ResponseCode.SUCCESS, undefined, req.extFields, req.body),
  );
  await server.start();
  const client = new RemotingClient({ name: "test-client" });
  try {
    await fn({ server, client, addr: `127.0.0.1:${server.port}` });
  } finally {
    client.close();
    await client.closed();
    await server.shutdown();
  }
}

/** A bare TCP connection that speaks frames by hand, for protocol-level checks. */
class RawPeer {
  private readonly decoder = new FrameDecoder();
  private readonly frames: Uint8Array[] = [];
  private constructor(readonly conn: Deno.TcpConn) {}

  static async connect(port: number): Promise<RawPeer> {
    return new RawPeer(await Deno.connect({ hostname: "127.0.0.1", port }));
  }

  async write(bytes: Uint8Array): Promise<void> {
    let off = 0;
    while (off < bytes.length) off += await this.conn.write(bytes.subarray(off));
  }

  /** Next decoded command, or null once the server closed the connection. */
  async next(): Promise<RemotingCommand | null> {
    const buf = new Uint8Array(4096);
    while (this.frames.length === 0) {
      let n: number | null;
      try {
        n = await this.conn.read(buf);
      } catch {
        return null;
      }
      if (n === null) return null;
      this.frames.push(...this.decoder.push(buf.subarray(0, n)));
    }
    return decodeCommand(this.frames.shift()!);
  }

  close(): void {
    try {
      this.conn.close();
    } catch {
      // already closed
    }
  }
}

Deno.test("RemotingClient.invokeSync() gets the processor's response with the same opaque", async () => {
  await withServer(async ({ client, addr }) => {
    const req = createRequest(ECHO, { topic: "T1" }, enc.encode("ping"));
    const res = await client.invokeSync(addr, req, 3000);
    assertEquals(res.code, ResponseCode.SUCCESS);
    assertEquals(res.opaque, req.opaque);
    assertEquals(res.flag & 1, 1);
    assertEquals(res.extFields, { topic: "T1" });
    assertEquals(dec.decode(res.body), "ping");
  });
});

Deno.test("responses sent out of order are matched to their requests by opaque", async () => {
  await withServer(async ({ server, client, addr }) => {
    server.registerProcessor(RequestCode.PULL_MESSAGE, async (req) => {
      await delay(Number(req.extFields["wait"]));
      return createResponse(req, ResponseCode.SUCCESS, undefined, { n: req.extFields["n"] ?? "" });
    });
    const waits = [60, 30, 0, 45, 10];
    const results = await Promise.all(
      waits.map((w, i) =>
        client.invokeAsync(
          addr,
          createRequest(RequestCode.PULL_MESSAGE, { wait: String(w), n: String(i) }),
          3000,
        )
      ),
    );
    assertEquals(results.map((r) => r.extFields["n"]), ["0", "1", "2", "3", "4"]);
  });
});

Deno.test("an unknown request code is answered with REQUEST_CODE_NOT_SUPPORTED and upstream's remark", async () => {
  await withServer(async ({ client, addr }) => {
    const res = await client.invokeSync(addr, createRequest(4321), 3000);
    assertEquals(res.code, ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    assertEquals(res.remark, " request type 4321 not supported");
  });
});

Deno.test("a processor that throws or rejects produces SYSTEM_ERROR with a remark", async () => {
  await withServer(async ({ server, client, addr }) => {
    server.registerProcessor(1, () => {
      throw new Error("boom sync");
    });
    server.registerProcessor(2, () => Promise.reject(new Error("boom async")));
    const a = await client.invokeSync(addr, createRequest(1), 3000);
    assertEquals(a.code, ResponseCode.SYSTEM_ERROR);
    assert(a.remark?.includes("boom sync"), a.remark);
    const b = await client.invokeSync(addr, createRequest(2), 3000);
    assertEquals(b.code, ResponseCode.SYSTEM_ERROR);
    assert(b.remark?.includes("boom async"), b.remark);
  });
});

Deno.test("a response that cannot be encoded in the request's form becomes SYSTEM_ERROR", async () => {
  await withServer(async ({ server, client, addr }) => {
    server.registerProcessor(RequestCode.QUERY_MESSAGE, (req) => createResponse(req, 70000));
    const req = createRequest(RequestCode.QUERY_MESSAGE);
    req.serializeType = SerializeType.ROCKETMQ;
    const res = await client.invokeSync(addr, req, 3000);
    assertEquals(res.code, ResponseCode.SYSTEM_ERROR);
  });
});

Deno.test("oneway requests never get a reply, not even for unknown codes or failures", async () => {
  await withServer(async ({ server }) => {
    const seen: number[] = [];
    server.registerProcessor(RequestCode.UPDATE_CONSUMER_OFFSET, (req) => {
      seen.push(req.opaque);
      return createResponse(req, ResponseCode.SUCCESS);
    });
    server.registerProcessor(RequestCode.END_TRANSACTION, () => {
      throw new Error("ignored");
    });
    const peer = await RawPeer.connect(server.port);
    try {
      const oneways = [RequestCode.UPDATE_CONSUMER_OFFSET, 4321, RequestCode.END_TRANSACTION].map((code) => {
        const r = createRequest(code);
        r.flag |= FLAG_ONEWAY;
        return r;
      });
      const probe = createRequest(ECHO);
      for (const r of [...oneways, probe]) await peer.write(encodeCommand(r));
      const first = await peer.next();
      assertEquals(first?.opaque, probe.opaque);
      assertEquals(seen, [oneways[0]!.opaque]);
    } finally {
      peer.close();
    }
  });
});

Deno.test("RemotingClient.invokeOneway() delivers the request with the ONEWAY flag", async () => {
  await withServer(async ({ server, client, addr }) => {
    const got = Promise.withResolvers<RemotingCommand>();
    server.registerProcessor(RequestCode.UNREGISTER_CLIENT, (req) => {
      got.resolve(req);
      return createResponse(req, ResponseCode.SUCCESS);
    });
    await client.invokeOneway(addr, createRequest(RequestCode.UNREGISTER_CLIENT, { clientID: "c1" }));
    const req = await got.promise;
    assertEquals(req.flag & FLAG_ONEWAY, FLAG_ONEWAY);
    assertEquals(req.extFields["clientID"], "c1");
  });
});

Deno.test("a ROCKETMQ-binary request gets a binary response", async () => {
  await withServer(async ({ client, addr }) => {
    const req = createRequest(ECHO, { offset: "5" });
    req.serializeType = SerializeType.ROCKETMQ;
    const res = await client.invokeSync(addr, req, 3000);
    assertEquals(res.serializeType, SerializeType.ROCKETMQ);
    assertEquals(res.extFields, { offset: "5" });
  });
});

Deno.test("the server can invoke the client (sync and oneway) on the client's own connection", async () => {
  await withServer(async ({ server, client, addr }) => {
    const channel = Promise.withResolvers<RemotingChannel>();
    server.registerProcessor(RequestCode.HEART_BEAT, (req, ch) => {
      ch.attrs.set("clientID", req.extFields["clientID"]);
      channel.resolve(ch);
      return createResponse(req, ResponseCode.SUCCESS);
    });
    const notified = Promise.withResolvers<RemotingCommand>();
    client.registerProcessor(
      RequestCode.GET_CONSUMER_RUNNING_INFO,
      (req) =>
        createResponse(
          req,
          ResponseCode.SUCCESS,
          undefined,
          {},
          enc.encode(`{"group":"${req.extFields["g"]}"}`),
        ),
    );
    client.registerProcessor(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, (req) => {
      notified.resolve(req);
      return null;
    });
    await client.invokeSync(addr, createRequest(RequestCode.HEART_BEAT, { clientID: "c1" }), 3000);
    const ch = await channel.promise;
    assertEquals(ch.attrs.get("clientID"), "c1");
    assert(ch.remoteAddr.startsWith("127.0.0.1:"), ch.remoteAddr);

    // Broker → client requests always travel as JSON, even if built as binary.
    const ask = createRequest(RequestCode.GET_CONSUMER_RUNNING_INFO, { g: "G1" });
    ask.serializeType = SerializeType.ROCKETMQ;
    const info = await ch.invoke(ask, 3000);
    assertEquals(info.code, ResponseCode.SUCCESS);
    assertEquals(info.serializeType, SerializeType.JSON);
    assertEquals(dec.decode(info.body), '{"group":"G1"}');

    ch.invokeOneway(createRequest(RequestCode.NOTIFY_CONSUMER_IDS_CHANGED, { consumerGroup: "G1" }));
    const n = await notified.promise;
    assertEquals(n.flag & FLAG_ONEWAY, FLAG_ONEWAY);

    const unsupported = await ch.invoke(createRequest(RequestCode.CONSUME_MESSAGE_DIRECTLY), 3000);
    assertEquals(unsupported.code, ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
  });
});

Deno.test("a parked request with no reply rejects with RemotingTimeoutError", async () => {
  await withServer(async ({ server, client, addr }) => {
    server.registerProcessor(RequestCode.PULL_MESSAGE, () => null);
    await assertRejects(
      client.invokeSync(addr, createRequest(RequestCode.PULL_MESSAGE), 50),
      RemotingTimeoutError,
    );
    // The connection stays usable after a timeout.
    assertEquals((await client.invokeSync(addr, createRequest(ECHO), 3000)).code, ResponseCode.SUCCESS);
  });
});

Deno.test("a processor can answer later with channel.send()", async () => {
  await withServer(async ({ server, client, addr }) => {
    server.registerProcessor(RequestCode.PULL_MESSAGE, (req, ch) => {
      setTimeout(() => ch.send(createResponse(req, ResponseCode.PULL_NOT_FOUND)), 20);
      return null;
    });
    const res = await client.invokeSync(addr, createRequest(RequestCode.PULL_MESSAGE), 3000);
    assertEquals(res.code, ResponseCode.PULL_NOT_FOUND);
  });
});

Deno.test("a server-side close rejects pending requests and the next invoke reconnects", async () => {
  await withServer(async ({ server, client, addr }) => {
    const closedIds: number[] = [];
    server.onChannelClosed((ch) => closedIds.push(ch.id));
    const parked = Promise.withResolvers<RemotingChannel>();
    server.registerProcessor(RequestCode.PULL_MESSAGE, (_req, ch) => {
      parked.resolve(ch);
      return null;
    });
    const pending = client.invokeSync(addr, createRequest(RequestCode.PULL_MESSAGE), 5000);
    const ch = await parked.promise;
    ch.close();
    ch.close();
    await assertRejects(pending, RemotingSendError);
    assertEquals(closedIds, [ch.id]);
    const res = await client.invokeSync(addr, createRequest(ECHO), 3000);
    assertEquals(res.code, ResponseCode.SUCCESS);
    assertEquals(server.channels.size, 1);
    assert(![...server.channels].some((c) => c.id === ch.id));
  });
});

Deno.test("concurrent invokes to a new address share one connection", async () => {
  await withServer(async ({ server, client, addr }) => {
    const all = await Promise.all(
      Array.from({ length: 20 }, () => client.invokeSync(addr, createRequest(ECHO), 3000)),
    );
    assertEquals(all.every((r) => r.code === ResponseCode.SUCCESS), true);
    assertEquals(server.channels.size, 1);
  });
});

Deno.test("invoking an address where nothing listens rejects with RemotingConnectError", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const client = new RemotingClient();
  try {
    await assertRejects(
      client.invokeSync(`127.0.0.1:${port}`, createRequest(ECHO), 1000),
      RemotingConnectError,
    );
    await assertRejects(client.invokeSync("no-port", createRequest(ECHO), 1000), RemotingConnectError);
  } finally {
    client.close();
    await client.closed();
  }
});

const PROTOCOL_ERRORS: [string, Uint8Array][] = [
  ["garbage bytes", enc.encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n")],
  ["an oversize length", new Uint8Array([0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0])],
  ["a header length beyond the frame", new Uint8Array([0, 0, 0, 8, 0, 0, 0, 9, 1, 2, 3, 4])],
  ["an unknown serialize type", new Uint8Array([0, 0, 0, 6, 5, 0, 0, 2, 0x7b, 0x7d])],
  [
    "invalid JSON",
    (() => {
      const h = enc.encode("{nope");
      const f = new Uint8Array(8 + h.length);
      new DataView(f.buffer).setInt32(0, 4 + h.length);
      new DataView(f.buffer).setInt32(4, h.length);
      f.set(h, 8);
      return f;
    })(),
  ],
];

for (const [what, bytes] of PROTOCOL_ERRORS) {
  Deno.test(`a connection sending ${what} is closed; other connections keep being served`, async () => {
    await withServer(async ({ server, client, addr }) => {
      await client.invokeSync(addr, createRequest(ECHO), 3000);
      const closed = Promise.withResolvers<RemotingChannel>();
      server.onChannelClosed((ch) => closed.resolve(ch));
      const bad = await RawPeer.connect(server.port);
      try {
        await bad.write(bytes);
        assertEquals(await bad.next(), null);
      } finally {
        bad.close();
      }
      await closed.promise;
      const res = await client.invokeSync(addr, createRequest(ECHO, { still: "alive" }), 3000);
      assertEquals(res.extFields, { still: "alive" });
    });
  });
}

Deno.test("a truncated frame followed by the peer closing does not disturb other connections", async () => {
  await withServer(async ({ server, client, addr }) => {
    const closed = Promise.withResolvers<RemotingChannel>();
    server.onChannelClosed((ch) => closed.resolve(ch));
    const peer = await RawPeer.connect(server.port);
    const frame = encodeCommand(createRequest(ECHO, {}, new Uint8Array(1000)));
    await peer.write(frame.subarray(0, 500));
    peer.close();
    await closed.promise;
    assertEquals((await client.invokeSync(addr, createRequest(ECHO), 3000)).code, ResponseCode.SUCCESS);
  });
});

Deno.test("frames of many requests written at once are all answered, large bodies included", async () => {
  await withServer(async ({ server }) => {
    const peer = await RawPeer.connect(server.port);
    try {
      const reqs = Array.from(
        { length: 50 },
        (_, i) => createRequest(ECHO, { i: String(i) }, new Uint8Array(i * 3000)),
      );
      const all = new Uint8Array(reqs.reduce((n, r) => n + encodeCommand(r).length, 0));
      let off = 0;
      for (const r of reqs) {
        const f = encodeCommand(r);
        all.set(f, off);
        off += f.length;
      }
      await peer.write(all);
      for (let i = 0; i < reqs.length; i++) {
        const res = await peer.next();
        assertEquals(res?.opaque, reqs[i]!.opaque);
        assertEquals(res?.body?.length ?? 0, i * 3000);
      }
    } finally {
      peer.close();
    }
  });
});

Deno.test("a multi-megabyte body arrives intact in both directions, alongside small frames", async () => {
  await withServer(async ({ client, addr }) => {
    // Reads are small between frames and sized to the rest of a large frame inside one: both paths here.
    const big = new Uint8Array(6 * 1024 * 1024 + 7);
    for (let i = 0; i < big.length; i += 4093) big[i] = i & 0xff;
    const small = Array.from(
      { length: 20 },
      (_, i) => client.invokeSync(addr, createRequest(ECHO, { i: String(i) }), 5000),
    );
    const res = await client.invokeSync(addr, createRequest(ECHO, {}, big), 10_000);
    assertEquals(res.body?.length, big.length);
    assert(res.body!.every((b, i) => b === big[i]));
    for (const [i, r] of (await Promise.all(small)).entries()) assertEquals(r.extFields["i"], String(i));
  });
});

Deno.test("idle connections are closed after the idle timeout", async () => {
  await withServer(async ({ server }) => {
    const peer = await RawPeer.connect(server.port);
    try {
      assertEquals(await peer.next(), null);
    } finally {
      peer.close();
    }
  }, { idleTimeoutMs: 50 });
});

Deno.test("shutdown() lets an in-flight processor's reply go out before closing", async () => {
  const server = new RemotingServer({ hostname: "127.0.0.1", port: 0 });
  const started = Promise.withResolvers<void>();
  server.registerProcessor(RequestCode.SEND_MESSAGE, async (req) => {
    started.resolve();
    await delay(30);
    return createResponse(req, ResponseCode.SUCCESS, undefined, { msgId: "X" });
  });
  await server.start();
  const client = new RemotingClient();
  try {
    const pending = client.invokeSync(
      `127.0.0.1:${server.port}`,
      createRequest(RequestCode.SEND_MESSAGE),
      3000,
    );
    await started.promise;
    await server.shutdown();
    assertEquals((await pending).extFields, { msgId: "X" });
    await assertRejects(
      Deno.connect({ hostname: "127.0.0.1", port: server.port }).then((c) => c.close()),
    );
  } finally {
    client.close();
    await client.closed();
  }
});
