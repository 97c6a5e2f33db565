import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { createRequest, type RemotingCommand } from "../../src/remoting/command.ts";
import { Connection } from "../../src/remoting/channel.ts";
import { configureLogging, getLogger } from "../../src/log/logger.ts";

configureLogging({ stderr: false });

/** A real loopback socket pair: the accepted end (wrapped to count writes) and the dialing end. */
async function socketPair(): Promise<{ server: Deno.Conn; client: Deno.Conn; writes: number[] }> {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const [accepted, client] = await Promise.all([
    listener.accept(),
    Deno.connect({ hostname: "127.0.0.1", port: (listener.addr as Deno.NetAddr).port }),
  ]);
  listener.close();
  const writes: number[] = [];
  // Count socket writes on the real connection; every call still goes to the kernel.
  const server = new Proxy(accepted, {
    get(target, prop) {
      if (prop === "write") {
        return (p: Uint8Array) => {
          writes.push(p.length);
          return target.write(p);
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return { server, client, writes };
}

function newConnection(conn: Deno.Conn, received: RemotingCommand[]): Connection {
  return new Connection(
    conn,
    {
      onRequest: (cmd) => received.push(cmd),
      onClose: () => {},
    },
    getLogger("test"),
    { idleTimeoutMs: 0 },
  );
}

Deno.test("Connection.send() coalesces frames queued in the same tick into one socket write", async () => {
  const { server, client, writes } = await socketPair();
  const a = newConnection(server, []);
  const received: RemotingCommand[] = [];
  const b = newConnection(client, received);
  a.start();
  b.start();
  try {
    const reqs = [createRequest(1), createRequest(2), createRequest(3)];
    for (const r of reqs) a.send(r);
    await a.drained();
    assertEquals(writes.length, 1);
    while (received.length < 3) await new Promise((r) => setTimeout(r, 5));
    assertEquals(received.map((c) => c.opaque), reqs.map((r) => r.opaque));
  } finally {
    a.close();
    b.close();
    await Promise.all([a.finished(), b.finished()]);
  }
});

Deno.test("Connection keeps exactly one write in flight and batches what queues up behind it", async () => {
  const { server, client, writes } = await socketPair();
  const a = newConnection(server, []);
  const received: RemotingCommand[] = [];
  const b = newConnection(client, received);
  a.start();
  b.start();
  try {
    a.send(createRequest(1));
    await Promise.resolve(); // the first flush starts its write
    for (let i = 0; i < 5; i++) a.send(createRequest(2));
    await a.drained();
    assertEquals(writes.length, 2);
    while (received.length < 6) await new Promise((r) => setTimeout(r, 5));
  } finally {
    a.close();
    b.close();
    await Promise.all([a.finished(), b.finished()]);
  }
});

Deno.test("Connection.close() fires onClose once and later sends are dropped", async () => {
  const { server, client } = await socketPair();
  let closes = 0;
  const a = new Connection(server, { onRequest: () => {}, onClose: () => closes++ }, getLogger("test"), {});
  a.start();
  a.close();
  a.close();
  a.send(createRequest(1));
  assertEquals(closes, 1);
  assertEquals(a.closed, true);
  client.close();
  await a.finished();
});

Deno.test("Connection closes when its write backlog exceeds maxQueuedBytes", async () => {
  const { server, client } = await socketPair();
  let closes = 0;
  const a = new Connection(server, { onRequest: () => {}, onClose: () => closes++ }, getLogger("test"), {
    maxQueuedBytes: 1000,
    idleTimeoutMs: 0,
  });
  a.start();
  try {
    a.send(createRequest(1, {}, new Uint8Array(2000)));
    assertEquals(a.closed, true);
    assertEquals(closes, 1);
  } finally {
    a.close();
    client.close();
    await a.finished();
  }
});
