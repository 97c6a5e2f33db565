/**
 * Runs a real `rmq serve` child process for end-to-end and interoperability tests.
 *
 * The child is the same entry point users run (`main.ts`), on loopback, with its store in a temp dir.
 * It is started with ports chosen free by the OS and stopped with SIGTERM (or SIGKILL in crash tests).
 */

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

export interface RmqProcess {
  namesrvAddr: string;
  brokerAddr: string;
  storeDir: string;
  child: Deno.ChildProcess;
  /** Spawn → boot line, in ms (measured when the line arrives, not when startRmq noticed it). */
  bootMs: number;
  /** Everything the child printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, wait for exit; returns the exit code. */
  stop(): Promise<number>;
  /** SIGKILL, wait for exit. */
  kill(): Promise<void>;
}

/** Returns a port that was free a moment ago, along with its VIP neighbour (port − 2). */
export function freePortPair(): number {
  for (let i = 0; i < 50; i++) {
    const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (l.addr as Deno.NetAddr).port;
    l.close();
    if (port < 1100) continue;
    try {
      const vip = Deno.listen({ hostname: "127.0.0.1", port: port - 2 });
      vip.close();
      return port;
    } catch {
      // VIP neighbour taken: try another.
    }
  }
  throw new Error("Cannot find a free port pair on 127.0.0.1");
}

export function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

export interface StartOptions {
  role?: "all" | "broker" | "namesrv";
  storeDir?: string;
  /** Extra `--key=value` flags. */
  flags?: Record<string, string | number | boolean>;
  namesrvPort?: number;
  listenPort?: number;
  timeoutMs?: number;
}

/** Starts `rmq serve --role=all` (default) and resolves once the boot line for the role is printed. */
export async function startRmq(opts: StartOptions = {}): Promise<RmqProcess> {
  const role = opts.role ?? "all";
  const storeDir = opts.storeDir ?? await Deno.makeTempDir({ prefix: "rmq-e2e-" });
  const namesrvPort = opts.namesrvPort ?? freePort();
  const listenPort = opts.listenPort ?? freePortPair();
  const flags: Record<string, string | number | boolean> = {
    storePathRootDir: storeDir,
    logDir: `${storeDir}/logs`,
    brokerIP1: "127.0.0.1",
    listenHost: "127.0.0.1",
    ...opts.flags,
  };
  const args = ["run", "-A", MAIN, "serve", `--role=${role}`];
  if (role === "all") args.push(`--namesrvPort=${namesrvPort}`);
  if (role === "namesrv") flags.listenPort = namesrvPort;
  else flags.listenPort = listenPort;
  for (const [k, v] of Object.entries(flags)) args.push(`--${k}=${v}`);
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
    env: { RMQ_LOG_LEVEL: "WARN" },
  }).spawn();

  let out = "";
  let bootMs = -1;
  const bootMarker = role === "namesrv" ? "The Name Server boot success" : "The broker[";
  const decoder = new TextDecoder();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      out += decoder.decode(chunk, { stream: true });
      if (bootMs < 0 && out.includes(bootMarker)) bootMs = performance.now() - t0;
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  let exited = false;
  child.status.then(() => exited = true);
  while (bootMs < 0) {
    if (exited || Date.now() > deadline) {
      if (!exited) child.kill("SIGKILL");
      await child.status;
      await pumps;
      throw new Error(`rmq did not boot (role ${role}); output:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }

  const wait = async () => {
    const status = await child.status;
    await pumps;
    return status.code;
  };
  return {
    namesrvAddr: `127.0.0.1:${namesrvPort}`,
    brokerAddr: `127.0.0.1:${listenPort}`,
    storeDir,
    child,
    bootMs: Math.round(bootMs),
    output: () => out,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      return await wait();
    },
    async kill() {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      await wait();
    },
  };
}
