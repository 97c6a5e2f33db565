/**
 * Runs `rmq serve --role=all` as a child for the compare driver, on loopback with its store in a temp
 * dir, and reads its resource use from /proc (Linux; elsewhere the figures are reported as unknown).
 */

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** A running broker child. */
export interface RmqChild {
  namesrvAddr: string;
  brokerAddr: string;
  storeDir: string;
  pid: number;
  /** Spawn → "boot success" line, in ms. */
  readyMs: number;
  output(): string;
  stop(): Promise<void>;
}

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

/** A port whose VIP neighbour (port − 2) is free too, as the broker binds both. */
function freeBrokerPort(): number {
  for (let i = 0; i < 50; i++) {
    const port = freePort();
    if (port < 1100) continue;
    try {
      Deno.listen({ hostname: "127.0.0.1", port: port - 2 }).close();
      return port;
    } catch {
      // Neighbour taken; try another.
    }
  }
  throw new Error("Cannot find a free port pair on 127.0.0.1");
}

/** Starts rmq with `flags` (e.g. flushDiskType) and resolves once the broker reports boot success. */
export async function startRmqChild(flags: Record<string, string | number | boolean>): Promise<RmqChild> {
  const storeDir = await Deno.makeTempDir({ prefix: "rmq-compare-" });
  const namesrvPort = freePort();
  const listenPort = freeBrokerPort();
  const all: Record<string, string | number | boolean> = {
    namesrvPort,
    listenPort,
    storePathRootDir: storeDir,
    logDir: `${storeDir}/logs`,
    brokerIP1: "127.0.0.1",
    listenHost: "127.0.0.1",
    ...flags,
  };
  const args = [
    "run",
    "-A",
    MAIN,
    "serve",
    "--role=all",
    ...Object.entries(all).map(([k, v]) => `--${k}=${v}`),
  ];
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "piped",
    env: { RMQ_LOG_LEVEL: "WARN" },
  }).spawn();
  let out = "";
  let readyMs = -1;
  const decoder = new TextDecoder();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) {
      out += decoder.decode(chunk, { stream: true });
      if (readyMs < 0 && out.includes("The broker[")) readyMs = performance.now() - t0;
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  let exited = false;
  child.status.then(() => exited = true);
  const deadline = Date.now() + 30_000;
  while (readyMs < 0) {
    if (exited || Date.now() > deadline) {
      if (!exited) child.kill("SIGKILL");
      await child.status;
      await pumps;
      await Deno.remove(storeDir, { recursive: true }).catch(() => {});
      throw new Error(`rmq did not boot; output:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  return {
    namesrvAddr: `127.0.0.1:${namesrvPort}`,
    brokerAddr: `127.0.0.1:${listenPort}`,
    storeDir,
    pid: child.pid,
    readyMs: Math.round(readyMs),
    output: () => out,
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      await child.status;
      await pumps;
      await Deno.remove(storeDir, { recursive: true }).catch(() => {});
    },
  };
}

/** A process's resident set (current and peak) in MiB and its CPU seconds so far; null if unknown. */
export interface ProcSample {
  rssMiB: number;
  peakRssMiB: number;
  cpuSec: number;
  at: number;
}

/** Reads /proc/<pid>/status and /proc/<pid>/stat. */
export function sampleProc(pid: number): ProcSample | null {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return {
      rssMiB: kb("VmRSS") / 1024,
      peakRssMiB: kb("VmHWM") / 1024,
      cpuSec: ticks / 100,
      at: performance.now(),
    };
  } catch {
    return null;
  }
}

/** Samples `pid` every 100 ms while `work` runs; returns its result, CPU % over the run and peak RSS. */
export async function withProcStats<T>(
  pid: number,
  work: () => Promise<T>,
): Promise<{ result: T; cpuPct: number | null; rssMiB: number | null }> {
  const before = sampleProc(pid);
  let peak = before?.rssMiB ?? 0;
  const timer = setInterval(() => {
    const s = sampleProc(pid);
    if (s && s.rssMiB > peak) peak = s.rssMiB;
  }, 100);
  try {
    const result = await work();
    const after = sampleProc(pid);
    if (!before || !after) return { result, cpuPct: null, rssMiB: null };
    const cpuPct = ((after.cpuSec - before.cpuSec) / ((after.at - before.at) / 1000)) * 100;
    return { result, cpuPct: Math.round(cpuPct), rssMiB: Math.round(Math.max(peak, after.rssMiB)) };
  } finally {
    clearInterval(timer);
  }
}
