/**
 * Facts about the host that config defaults depend on: home directory, host name, CPU count and the
 * address a broker advertises. Every probe falls back to a safe value when the permission or the
 * information is missing, because a config default must never throw at module load.
 */

/** The user's home directory (`$HOME`, `%USERPROFILE%` on Windows), or "." when unknown. */
export function homeDir(): string {
  try {
    return Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE") ?? ".";
  } catch {
    return ".";
  }
}

/**
 * Expands the home-directory prefixes operators write in path settings: `~`, `~/x`, `${user.home}/x`
 * (upstream's system-property form), `${HOME}/x` and `$HOME/x`. Other text is returned unchanged.
 *
 * @example expandHome("~/store", "/home/mq") === "/home/mq/store"
 */
export function expandHome(path: string, home: string = homeDir()): string {
  const m = /^(~|\$\{user\.home\}|\$\{HOME\}|\$HOME)(?=$|[/\\])/.exec(path);
  return m ? home + path.slice(m[0].length) : path;
}

/** The local host name, or `fallback` when it cannot be read (upstream uses `DEFAULT_BROKER`). */
export function localHostName(fallback = "DEFAULT_BROKER"): string {
  try {
    return Deno.hostname() || fallback;
  } catch {
    return fallback;
  }
}

/** Number of logical CPUs, at least 1. */
export function cpuCount(): number {
  return Math.max(1, navigator.hardwareConcurrency || 1);
}

/** Every IPv4 address of the host with its interface name, e.g. `eth0 192.0.2.2`, loopback included. */
export function hostIPv4Candidates(): string[] {
  try {
    return Deno.networkInterfaces().filter((n) => n.family === "IPv4").map((n) => `${n.name} ${n.address}`);
  } catch {
    return [];
  }
}

/**
 * The address a broker publishes when `brokerIP1` is not configured: the first IPv4 address that is
 * neither loopback nor link-local, else 127.0.0.1. Simpler than upstream's rule (which skips 192.168.*
 * and prefers the last address) on purpose: operators on multi-NIC hosts should set brokerIP1.
 */
export function detectHostIPv4(): string {
  try {
    for (const nic of Deno.networkInterfaces()) {
      if (nic.family !== "IPv4") continue;
      if (nic.address.startsWith("127.") || nic.address.startsWith("169.254.")) continue;
      return nic.address;
    }
  } catch {
    // No --allow-sys: fall through to loopback.
  }
  return "127.0.0.1";
}

/** True for bind addresses that mean "every interface". */
export function isWildcardHost(host: string): boolean {
  return host === "" || host === "0.0.0.0" || host === "::" || host === "[::]";
}
