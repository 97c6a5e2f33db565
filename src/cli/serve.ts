/**
 * `rmq serve`: load the role's config, then either print it (`-p`/`-m`) or start the servers and run
 * until SIGINT/SIGTERM. Exit statuses: 0 after a clean shutdown or a print, 1 when configuration or
 * start-up fails (one line on stderr, no stack trace for config mistakes), 2 for a bad command line.
 */
import { ConfigError, renderConfig } from "../config/schema.ts";
import { loadRole, localNamesrvAddr, type RoleConfig } from "../config/role_config.ts";
import { closeLogging, configureLogging, getLogger } from "../log/logger.ts";
import { parseServeArgs, type ServeArgs, UsageError } from "./serve_args.ts";
import { serveHelp } from "./help.ts";
import { hostIPv4Candidates } from "../config/host.ts";
import { installFaultGuard } from "./fault_guard.ts";
import type { NamesrvController } from "../namesrv/namesrv_controller.ts";
import type { BrokerController } from "../broker/broker_controller.ts";

const log = getLogger("startup");
const configLog = getLogger("config");

/** Settings upstream's `mqbroker -m` prints (operations.md §4.4). */
const IMPORTANT_KEYS = new Set([
  "namesrvAddr",
  "brokerIP1",
  "brokerName",
  "brokerClusterName",
  "brokerId",
  "autoCreateTopicEnable",
  "autoCreateSubscriptionGroup",
  "msgTraceTopicName",
  "traceTopicEnable",
  "rejectTransactionMessage",
  "fetchNamesrvAddrByAddressServer",
  "transactionTimeOut",
  "transactionCheckMax",
  "transactionCheckInterval",
  "aclEnable",
  "storePathRootDir",
  "storePathCommitLog",
  "storePathDLedgerCommitLog",
  "flushIntervalCommitLog",
  "commitIntervalCommitLog",
  "flushCommitLogTimed",
  "deleteWhen",
  "fileReservedTime",
  "maxTransferBytesOnMessageInMemory",
  "maxTransferCountOnMessageInMemory",
  "maxTransferBytesOnMessageInDisk",
  "maxTransferCountOnMessageInDisk",
  "accessMessageInMemoryMaxRatio",
  "messageIndexEnable",
  "messageIndexSafe",
  "haMasterAddress",
  "brokerRole",
  "flushDiskType",
  "cleanFileForciblyEnable",
  "transientStorePoolEnable",
  // rmq: the ports and bind address every firewall rule needs (operations.md §6.4).
  "listenPort",
  "listenHost",
  "haListenPort",
  "namesrvPort",
]);

function printErr(line: string): void {
  console.error(`rmq: ${line}`);
}

/** Every setting of the role in one flat record, as `-p` prints it. */
function flatten(rc: RoleConfig): Record<string, unknown> {
  switch (rc.role) {
    case "namesrv":
      return { ...rc.namesrv };
    case "broker":
      return { ...rc.broker, ...rc.store };
    case "all": {
      const { listenPort: _embedded, ...namesrv } = rc.namesrv;
      return { ...namesrv, ...rc.broker, ...rc.store, ...rc.allInOne };
    }
  }
}

/** Where the role logs; `isolateLogEnable` gives each broker its own `<brokerName>_<brokerId>` folder. */
function logDirOf(rc: RoleConfig): string {
  if (rc.role === "namesrv") return rc.namesrv.logDir;
  const { logDir, isolateLogEnable, brokerName, brokerId } = rc.broker;
  return isolateLogEnable ? `${logDir}/${brokerName}_${brokerId}` : logDir;
}

/**
 * Runs `rmq serve <args>` and resolves with the process exit status once the servers have stopped
 * (or at once for `--help`, `-p`, `-m` and errors).
 */
export async function runServe(args: readonly string[]): Promise<number> {
  let parsed: ServeArgs;
  try {
    parsed = parseServeArgs(args);
    if (!parsed.help && parsed.role === null) throw new UsageError("Missing --role=namesrv|broker|all");
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    printErr(`${e.message}\nRun "rmq serve --help" for usage.`);
    return 2;
  }
  if (parsed.help || parsed.role === null) {
    console.log(serveHelp());
    return 0;
  }

  const warnings: string[] = [];
  let rc: RoleConfig;
  try {
    const opts = {
      overrides: parsed.overrides,
      warn: (m: string) => warnings.push(m),
      ...(parsed.configFile !== undefined ? { configFile: parsed.configFile } : {}),
      ...(parsed.namesrvAddr !== undefined ? { namesrvAddr: parsed.namesrvAddr } : {}),
    };
    rc = loadRole(parsed.role, opts);
  } catch (e) {
    for (const w of warnings) configLog.warn(w);
    if (e instanceof ConfigError) {
      printErr(e.message);
      return 1;
    }
    throw e;
  }

  if (parsed.strict && warnings.length > 0) {
    for (const w of warnings) printErr(`${w} (refused by --strict)`);
    return 1;
  }
  if (parsed.print !== "none") {
    for (const w of warnings) configLog.warn(w);
    const all = flatten(rc);
    const shown = parsed.print === "all"
      ? all
      : Object.fromEntries(Object.entries(all).filter(([k]) => IMPORTANT_KEYS.has(k)));
    await writeStdout(renderConfig(shown));
    return 0;
  }

  try {
    configureLogging({ logDir: logDirOf(rc) });
  } catch (e) {
    printErr(`Cannot open log directory "${logDirOf(rc)}": ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  // Upstream prints this line on the console before the boot line; scripts may look for it.
  if (parsed.configFile !== undefined) console.log(`load config properties file OK, ${parsed.configFile}`);
  for (const w of warnings) configLog.warn(w);
  for (const [k, v] of Object.entries(flatten(rc)).sort(([a], [b]) => a < b ? -1 : 1)) log.debug(`${k}=${v}`);
  try {
    return await runServers(rc);
  } finally {
    closeLogging();
  }
}

async function writeStdout(text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let off = 0;
  while (off < bytes.length) off += await Deno.stdout.write(bytes.subarray(off));
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Starts the role's servers, waits for a signal, then shuts them down broker first. */
async function runServers(rc: RoleConfig): Promise<number> {
  const removeGuard = installFaultGuard(getLogger("fault"));
  try {
    return await runServersGuarded(rc);
  } finally {
    removeGuard();
  }
}

async function runServersGuarded(rc: RoleConfig): Promise<number> {
  let namesrv: NamesrvController | null = null;
  let broker: BrokerController | null = null;
  const shutdown = async () => {
    // Broker first so it can unregister from a name server that is still up.
    if (broker) await broker.shutdown().catch((e) => log.error("Broker shutdown failed", e));
    if (namesrv) await namesrv.shutdown().catch((e) => log.error("Name server shutdown failed", e));
  };

  // Register handlers before starting so a signal during a slow start still shuts down cleanly.
  const stopped = waitForSignal();
  try {
    if (rc.role !== "broker") {
      const { NamesrvController } = await import("../namesrv/namesrv_controller.ts");
      const ns = new NamesrvController(rc.namesrv);
      namesrv = ns;
      await startOrExplain("name server", () => ns.start());
      console.log("The Name Server boot success. serializeType=JSON");
    }
    if (rc.role !== "namesrv") {
      if (rc.role === "all" && namesrv) {
        // With --namesrvPort=0 the configured default address is only known once the name server is bound.
        const configured = localNamesrvAddr(rc.namesrv, rc.allInOne.namesrvPort);
        if (rc.broker.namesrvAddr === configured) {
          rc.broker.namesrvAddr = localNamesrvAddr(rc.namesrv, namesrv.port);
        }
      }
      if (rc.broker.namesrvAddr === "") {
        log.warn(
          "No name server configured (use -n, namesrvAddr in the config file, or NAMESRV_ADDR): " +
            "this broker will not register anywhere and clients will not find its topics",
        );
      }
      log.info(
        `Advertising brokerIP1 ${rc.broker.brokerIP1} (host IPv4 addresses: ${
          hostIPv4Candidates().join(", ") || "unknown"
        }); set brokerIP1 if clients cannot reach it`,
      );
      const { BrokerController } = await import("../broker/broker_controller.ts");
      const b = new BrokerController(rc.broker, rc.store);
      broker = b;
      await startOrExplain("broker", () => b.start());
      const { brokerName, brokerIP1, namesrvAddr } = rc.broker;
      const tail = namesrvAddr === "" ? "" : ` and name server is ${namesrvAddr}`;
      console.log(
        `The broker[${brokerName}, ${brokerIP1}:${b.port}] boot success. serializeType=JSON${tail}`,
      );
    }
  } catch (e) {
    printErr(errorText(e));
    stopped.cancel();
    await shutdown();
    return 1;
  }
  const signal = await stopped.promise;
  log.info(`Shutdown hook was invoked (${signal})`);
  const t0 = Date.now();
  await shutdown();
  log.info(`Shutdown hook over, consuming total time(ms): ${Date.now() - t0}`);
  stopped.cancel();
  return 0;
}

async function startOrExplain(what: string, start: () => Promise<void>): Promise<void> {
  try {
    await start();
  } catch (e) {
    log.debug(`Failed to start the ${what}`, e);
    throw new Error(`Failed to start the ${what}: ${errorText(e)}`);
  }
}

const SIGNALS: Deno.Signal[] = ["SIGINT", "SIGTERM"];

/** Resolves on the first SIGINT/SIGTERM; a second one forces exit for a shutdown that hangs. */
function waitForSignal(): { promise: Promise<Deno.Signal>; cancel(): void } {
  let received = false;
  let resolve!: (s: Deno.Signal) => void;
  const promise = new Promise<Deno.Signal>((r) => (resolve = r));
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      if (received) {
        printErr(`Received ${signal} again; exiting without finishing shutdown`);
        Deno.exit(1);
      }
      received = true;
      resolve(signal);
    };
    try {
      Deno.addSignalListener(signal, handler);
    } catch {
      // SIGTERM cannot be listened to on Windows; Ctrl-C still works.
    }
    return [signal, handler] as const;
  });
  return {
    promise,
    cancel() {
      for (const [signal, handler] of handlers) {
        try {
          Deno.removeSignalListener(signal, handler);
        } catch {
          // Never added.
        }
      }
    },
  };
}
