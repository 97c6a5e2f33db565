/** Producer commands (operations.md §1.4.4): producerConnection. */
import type { AdminCommand } from "./command.ts";
import { opt } from "./options.ts";
import { javaFormat } from "./output.ts";
import { versionDesc } from "./version.ts";

const producerConnection: AdminCommand = {
  name: "producerConnection",
  group: "Producers",
  description: "Query producer's socket connection and client version",
  options: [opt("g", "producerGroup", "producer group name", true), opt("t", "topic", "topic name", true)],
  async run({ opts, out, admin }) {
    const pc = await admin.examineProducerConnectionInfo(
      opts.required("producerGroup"),
      opts.required("topic"),
    );
    let i = 1;
    for (const c of pc.connectionSet) {
      out.out(
        javaFormat(
          "%04d  %-32s %-22s %-8s %s%n",
          i++,
          c.clientId,
          c.clientAddr,
          c.language,
          versionDesc(c.version),
        ),
      );
    }
    return 0;
  },
};

/** Commands of the "Producers" group. */
export const PRODUCER_COMMANDS: AdminCommand[] = [producerConnection];
