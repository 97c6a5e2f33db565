/**
 * consumerStatus (operations.md §1.4.3): asks every live client of a group for its running info
 * (GET_CONSUMER_RUNNING_INFO 307, relayed by a broker), saves each report under `./<millis>/<clientId>`
 * as upstream does, and checks that the group subscribes consistently.
 */
import type { AdminCommand } from "./command.ts";
import { flag, opt } from "./options.ts";
import { javaFormat } from "./output.ts";
import { versionDesc } from "./version.ts";
import {
  analyzeProcessQueue,
  analyzeSubscription,
  decodeRunningInfo,
  formatRunningInfo,
  type RunningInfoView,
} from "./running_info_view.ts";

/** `clientId` as one path segment: ids are `ip@instance`, but a hostile client could send `../x`. */
function fileNameOf(clientId: string): string {
  const safe = clientId.replace(/[/\\]/g, "_");
  return safe === "." || safe === ".." || safe === "" ? `_${safe}` : safe;
}

/** Writes one report; failures to write are reported but do not fail the command. */
function saveReport(dir: string, clientId: string, report: string): string {
  const path = `${dir}/${fileNameOf(clientId)}`;
  Deno.mkdirSync(dir, { recursive: true });
  Deno.writeTextFileSync(path, report);
  return path;
}

/** consumerStatus. */
export const consumerStatus: AdminCommand = {
  name: "consumerStatus",
  group: "Subscription groups and consumers",
  description: "Query consumer's internal data structure",
  options: [
    opt("g", "consumerGroup", "consumer group name", true),
    opt("i", "clientId", "The consumer's client id"),
    opt("b", "brokerAddr", "broker address"),
    flag("s", "jstack", "Run jstack command in the consumer progress"),
  ],
  async run({ opts, out, admin }) {
    const group = opts.required("consumerGroup");
    const jstack = opts.has("jstack");
    const clientId = opts.get("clientId");
    if (clientId !== undefined) {
      const info = decodeRunningInfo(await admin.getConsumerRunningInfo(group, clientId, jstack));
      out.out(formatRunningInfo(info));
      return 0;
    }
    const cc = await admin.examineConsumerConnectionInfo(group, opts.get("brokerAddr"));
    const dir = String(Date.now());
    const reports = new Map<string, RunningInfoView>();
    let failures = 0;
    out.out(
      javaFormat("%-10s %-40s %-20s %s%n", "#Index", "#ClientId", "#Version", "#ConsumerRunningInfoFile"),
    );
    let index = 1;
    for (const conn of cc.connectionSet) {
      try {
        const info = decodeRunningInfo(await admin.getConsumerRunningInfo(group, conn.clientId, jstack));
        reports.set(conn.clientId, info);
        const path = saveReport(dir, conn.clientId, formatRunningInfo(info));
        out.out(
          javaFormat("%-10d %-40s %-20s %s%n", index++, conn.clientId, versionDesc(conn.version), path),
        );
      } catch (e) {
        // Upstream prints the failure and goes on with the other clients; the exit code still tells.
        failures++;
        out.err(`Cannot get the running info of client ${conn.clientId}: ${(e as Error).message}\n`);
      }
    }
    if (reports.size > 0) {
      const ordered = [...reports].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      if (analyzeSubscription(ordered.map(([, info]) => info))) {
        out.out(javaFormat("%n%nSame subscription in the same group of consumer"));
        // Upstream's rebalance analysis always passes once subscriptions agree.
        out.out(javaFormat("%n%nRebalance %s%n", "OK"));
        for (const [id, info] of ordered) out.out(analyzeProcessQueue(id, info));
      } else {
        out.out(javaFormat("%n%nWARN: Different subscription in the same group of consumer!!!%n"));
      }
    }
    return failures > 0 ? 1 : 0;
  },
};
