/** Name server commands: KV store, config, write permission (operations.md §1.4.8). */
import type { AdminCommand, CommandContext } from "./command.ts";
import { opt } from "./options.ts";
import { javaFormat } from "./output.ts";

const updateKvConfig: AdminCommand = {
  name: "updateKvConfig",
  group: "Name server",
  description: "Create or update KV config.",
  options: [
    opt("s", "namespace", "set the namespace", true),
    opt("k", "key", "set the key name", true),
    opt("v", "value", "set the key value", true),
  ],
  async run({ opts, out, admin }: CommandContext) {
    await admin.createAndUpdateKvConfig(
      opts.required("namespace"),
      opts.required("key"),
      opts.required("value"),
    );
    out.out(javaFormat("create or update kv config to namespace success.%n"));
    return 0;
  },
};

const deleteKvConfig: AdminCommand = {
  name: "deleteKvConfig",
  group: "Name server",
  description: "Delete KV config.",
  options: [opt("s", "namespace", "set the namespace", true), opt("k", "key", "set the key name", true)],
  async run({ opts, out, admin }) {
    await admin.deleteKvConfig(opts.required("namespace"), opts.required("key"));
    out.out(javaFormat("delete kv config from namespace success.%n"));
    return 0;
  },
};

const getNamesrvConfig: AdminCommand = {
  name: "getNamesrvConfig",
  group: "Name server",
  description: "Get configs of name server.",
  options: [],
  async run({ out, admin }) {
    for (const [server, props] of await admin.getNameServerConfig()) {
      out.out(javaFormat("============%s============\n", server));
      for (const [k, v] of props) out.out(javaFormat("%-50s=  %s\n", k, v));
    }
    return 0;
  },
};

const updateNamesrvConfig: AdminCommand = {
  name: "updateNamesrvConfig",
  group: "Name server",
  description: "Update configs of name server.",
  options: [opt("k", "key", "config key", true), opt("v", "value", "config value", true)],
  async run({ opts, out, admin }) {
    const key = opts.required("key");
    const value = opts.required("value");
    await admin.updateNameServerConfig(new Map([[key, value]]));
    out.out(
      javaFormat(
        "update name server config success!%s\n%s : %s\n",
        `[${admin.namesrvList.join(", ")}]`,
        key,
        value,
      ),
    );
    return 0;
  },
};

function writePermCommand(wipe: boolean): AdminCommand {
  const verb = wipe ? "wipe" : "add";
  return {
    name: wipe ? "wipeWritePerm" : "addWritePerm",
    group: "Name server",
    description: wipe
      ? "Wipe write perm of broker in all name server you defined in the -n param"
      : "Add write perm of broker in all name server you defined in the -n param",
    options: [opt("b", "brokerName", "broker name", true)],
    async run({ opts, out, admin }) {
      const brokerName = opts.required("brokerName");
      let failed = 0;
      for (const ns of admin.namesrvList) {
        try {
          const n = await admin.operateWritePerm(ns, brokerName, wipe);
          out.out(
            javaFormat(`${verb} write perm of broker[%s] in name server[%s] OK, %d%n`, brokerName, ns, n),
          );
        } catch (e) {
          failed++;
          out.out(javaFormat(`${verb} write perm of broker[%s] in name server[%s] Failed%n`, brokerName, ns));
          out.err(`${(e as Error).message}\n`);
        }
      }
      return failed === 0 ? 0 : 1;
    },
  };
}

/** Commands of the "Name server" group. */
export const NAMESRV_COMMANDS: AdminCommand[] = [
  updateKvConfig,
  deleteKvConfig,
  getNamesrvConfig,
  updateNamesrvConfig,
  writePermCommand(true),
  writePermCommand(false),
];
