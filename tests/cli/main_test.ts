/**
 * The `rmq` command as operators run it: each test starts `deno run -A main.ts ...` as a child process and
 * checks its exit status and output.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;
const MAIN = `${ROOT}main.ts`;

interface Run {
  code: number;
  stdout: string;
  /** stderr without Deno's own diagnostics about the workspace config. */
  stderr: string;
}

const ESC = String.fromCharCode(27);

/** Removes terminal colour codes (Deno colours its own warnings even when piped). */
function stripAnsi(s: string): string {
  return s.split(ESC).map((part, i) => i === 0 ? part : part.replace(/^\[[0-9;]*m/, "")).join("");
}

async function rmq(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", RMQ_LOG_LEVEL: "INFO", NAMESRV_ADDR: "", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  const stderr = dec.decode(out.stderr).split("\n")
    .filter((l) => !/^(Warning|\s+at file:)/.test(stripAnsi(l)))
    .join("\n");
  return { code: out.code, stdout: dec.decode(out.stdout), stderr };
}

async function withTempDir<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "rmq-cli-" });
  try {
    return await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function settings(stdout: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of stdout.split("\n").filter((l) => l !== "")) {
    const i = line.indexOf("=");
    map.set(line.slice(0, i), line.slice(i + 1));
  }
  return map;
}

Deno.test("rmq --help prints usage and exits 0", async () => {
  const r = await rmq(["--help"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /rmq serve --role=namesrv\|broker\|all/);
});

Deno.test("rmq serve --help and rmq help serve print the serve options and exit 0", async () => {
  for (const args of [["serve", "--help"], ["help", "serve"]]) {
    const r = await rmq(args);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: rmq serve --role=namesrv\|broker\|all/);
    assert.match(r.stdout, /-p, --printConfigItem/);
  }
});

Deno.test("rmq version prints the version and exits 0", async () => {
  const r = await rmq(["version"]);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^rmq \d+\.\d+\.\d+ \(deno /);
});

Deno.test("rmq with an unknown command exits 2 naming it", async () => {
  const r = await rmq(["frobnicate"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command "frobnicate"/);
  assert.equal((await rmq([])).code, 2);
});

Deno.test("rmq serve without a role, or with a bad one, exits 2", async () => {
  const none = await rmq(["serve"]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /Missing --role/);
  assert.equal((await rmq(["serve", "--role=proxy"])).code, 2);
  const bare = await rmq(["serve", "--role=broker", "autoCreateTopicEnable=true"]);
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /did you mean "--autoCreateTopicEnable=true"/);
});

Deno.test("rmq serve -p prints the effective broker config, file then flags then -n, sorted", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/b.properties`,
      "brokerName = broker-x\nlistenPort=10000\nbrokerRole=SLAVE\nbrokerId=2\nnamesrvAddr=10.0.0.1:9876\n",
    );
    const r = await rmq([
      "serve",
      "--role=broker",
      "-c",
      `${dir}/b.properties`,
      "--listenPort=12000",
      "-n",
      "10.0.0.2:9876",
      "-p",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const s = settings(r.stdout);
    assert.equal(s.get("brokerName"), "broker-x");
    assert.equal(s.get("listenPort"), "12000");
    assert.equal(s.get("haListenPort"), "12001");
    assert.equal(s.get("brokerRole"), "SLAVE");
    assert.equal(s.get("brokerId"), "2");
    assert.equal(s.get("namesrvAddr"), "10.0.0.2:9876");
    assert.equal(s.get("mappedFileSizeCommitLog"), "1073741824");
    const keys = [...s.keys()];
    assert.deepEqual(keys, [...keys].sort());
  });
});

Deno.test("rmq serve -p takes the name server list from NAMESRV_ADDR", async () => {
  const r = await rmq(["serve", "--role=broker", "-p"], { NAMESRV_ADDR: "10.1.1.1:9876" });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(settings(r.stdout).get("namesrvAddr"), "10.1.1.1:9876");
});

Deno.test("rmq serve -p warns about an unknown key on stderr but still succeeds", async () => {
  const r = await rmq(["serve", "--role=namesrv", "--listenPrt=1", "-p"]);
  assert.equal(r.code, 0);
  assert.match(
    r.stderr,
    /WARN .*Unknown config key "listenPrt" \(--listenPrt\) is ignored; did you mean "listenPort"\?/,
  );
  assert.equal(settings(r.stdout).get("listenPort"), "9876");
});

Deno.test("rmq serve --strict refuses to start on a config warning", async () => {
  const r = await rmq(["serve", "--role=namesrv", "--strict", "--listenPrt=1", "-p"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^rmq: Unknown config key "listenPrt" .* \(refused by --strict\)$/m);
  assert.equal(r.stdout, "");
});

Deno.test("rmq serve --role=all -p shows the embedded name server port and the broker's route to it", async () => {
  const r = await rmq(["serve", "--role=all", "--namesrvPort=19876", "-p"], {
    NAMESRV_ADDR: "10.1.1.1:9876",
  });
  assert.equal(r.code, 0, r.stderr);
  const s = settings(r.stdout);
  assert.equal(s.get("namesrvPort"), "19876");
  assert.equal(s.get("listenPort"), "10911");
  assert.equal(s.get("namesrvAddr"), "127.0.0.1:19876");
  assert.equal(s.get("kvConfigPath")?.endsWith("/namesrv/kvConfig.json"), true);
});

Deno.test("rmq serve -m prints only the important settings", async () => {
  const r = await rmq(["serve", "--role=broker", "-m"]);
  assert.equal(r.code, 0, r.stderr);
  const s = settings(r.stdout);
  assert.equal(s.get("brokerRole"), "ASYNC_MASTER");
  assert.equal(s.has("storePathRootDir"), true);
  assert.equal(s.has("serverWorkerThreads"), false);
});

Deno.test("rmq serve exits 1 with one line naming the key when a value is invalid", async () => {
  await withTempDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/b.properties`, "brokerRole=slave \n");
    const r = await rmq(["serve", "--role=broker", "-c", `${dir}/b.properties`, `--logDir=${dir}/logs`]);
    assert.equal(r.code, 1);
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("rmq: "));
    assert.equal(lines.length, 1);
    assert.match(
      lines[0] ?? "",
      /^rmq: Cannot parse config value "slave" for key "brokerRole".*b\.properties:1\)$/,
    );
    assert.doesNotMatch(r.stderr, /^\s+at /m);
  });
  const port = await rmq(["serve", "--role=namesrv", "--listenPort=abc"]);
  assert.equal(port.code, 1);
  assert.match(port.stderr, /^rmq: Cannot parse config value "abc" for key "listenPort": not an integer/m);
});

Deno.test("rmq serve exits 1 with a readable line when the config file is missing", async () => {
  const r = await rmq(["serve", "--role=broker", "-c", "/nonexistent/rmq.conf"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^rmq: Cannot read config file "\/nonexistent\/rmq.conf": no such file$/m);
});

Deno.test("rmq serve exits 1 when the name server cannot start because its port is taken", async () => {
  await withTempDir(async (dir) => {
    const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    try {
      const r = await rmq([
        "serve",
        "--role=namesrv",
        "--listenHost=127.0.0.1",
        `--listenPort=${(taken.addr as Deno.NetAddr).port}`,
        `--logDir=${dir}`,
      ]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^rmq: Failed to start the name server: /m);
      assert.doesNotMatch(r.stdout, /boot success/);
    } finally {
      taken.close();
    }
  });
});

/** A running `rmq serve` whose stdout is read line by line. */
class ServeProcess {
  readonly #child: Deno.ChildProcess;
  readonly #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";

  constructor(args: string[]) {
    this.#child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "serve", ...args],
      cwd: ROOT,
      env: { NO_COLOR: "1", NAMESRV_ADDR: "" },
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    this.#reader = this.#child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next stdout line, or null at end of output. */
  async nextLine(): Promise<string | null> {
    while (!this.#buffer.includes("\n")) {
      const { value, done } = await this.#reader.read();
      if (done) return null;
      this.#buffer += value;
    }
    const i = this.#buffer.indexOf("\n");
    const line = this.#buffer.slice(0, i);
    this.#buffer = this.#buffer.slice(i + 1);
    return line;
  }

  /** Sends `signal`, drains stdout and returns the exit status. */
  async stop(signal: Deno.Signal): Promise<number> {
    this.#child.kill(signal);
    return await this.#finish();
  }

  /** Kills the process if it still runs (a failed assertion must not leave it behind). */
  async close(): Promise<void> {
    if (this.#exited) return;
    try {
      this.#child.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    await this.#finish();
  }

  #exited = false;

  async #finish(): Promise<number> {
    while (!(await this.#reader.read()).done) { /* drain */ }
    const { code } = await this.#child.status;
    this.#exited = true;
    return code;
  }
}

/** Runs `f` against a started `rmq serve`, killing it afterwards whatever happens. */
async function withServe(args: string[], f: (p: ServeProcess) => Promise<void>): Promise<void> {
  const p = new ServeProcess(args);
  try {
    await f(p);
  } finally {
    await p.close();
  }
}

const implemented = (file: string) => !Deno.readTextFileSync(`${ROOT}${file}`).includes("PLACEHOLDER");

Deno.test({
  name: "rmq serve --role=namesrv prints the boot line and exits 0 on SIGTERM",
  ignore: !implemented("src/namesrv/namesrv_controller.ts"),
  fn: async () => {
    await withTempDir(async (dir) => {
      await withServe([
        "--role=namesrv",
        "--listenHost=127.0.0.1",
        "--listenPort=0",
        `--logDir=${dir}`,
        `--kvConfigPath=${dir}/kv.json`,
        `--configStorePath=${dir}/namesrv.properties`,
      ], async (p) => {
        assert.equal(await p.nextLine(), "The Name Server boot success. serializeType=JSON");
        assert.equal(await p.stop("SIGTERM"), 0);
      });
    });
  },
});

Deno.test({
  name: "rmq serve --role=all boots a name server and a broker registered with it, and exits 0 on SIGINT",
  ignore: !implemented("src/namesrv/namesrv_controller.ts") ||
    !implemented("src/broker/broker_controller.ts"),
  fn: async () => {
    await withTempDir(async (dir) => {
      await withServe([
        "--role=all",
        "--listenHost=127.0.0.1",
        "--namesrvPort=0",
        "--listenPort=0",
        "--brokerName=broker-e2e",
        `--storePathRootDir=${dir}/store`,
        `--logDir=${dir}`,
        `--kvConfigPath=${dir}/kv.json`,
        `--configStorePath=${dir}/namesrv.properties`,
      ], async (p) => {
        assert.equal(await p.nextLine(), "The Name Server boot success. serializeType=JSON");
        const line = await p.nextLine();
        assert.match(
          line ?? "",
          /^The broker\[broker-e2e, 127\.0\.0\.1:\d+\] boot success\. serializeType=JSON and name server is 127\.0\.0\.1:\d+$/,
        );
        assert.doesNotMatch(line ?? "", /:0\]|:0$/);
        assert.equal(await p.stop("SIGINT"), 0);
      });
    });
  },
});
