/**
 * Socket addresses as they appear inside message records and ids: raw IP bytes plus a port.
 */

/** An IPv4 (4-byte) or IPv6 (16-byte) address with a port. */
export interface HostAddress {
  /** 4 bytes for IPv4, 16 bytes for IPv6, network order. */
  ip: Uint8Array;
  port: number;
}

/** Error for an address text that cannot be parsed. */
export class HostAddressError extends Error {
  override name = "HostAddressError";
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^\d{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | null {
  let s = text;
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  const out = new Uint8Array(16);
  // An embedded dotted IPv4 tail (e.g. ::ffff:1.2.3.4) occupies the last two groups.
  let tail: Uint8Array | null = null;
  const lastColon = s.lastIndexOf(":");
  if (lastColon >= 0 && s.indexOf(".", lastColon) > 0) {
    tail = parseIpv4(s.slice(lastColon + 1));
    if (tail === null) return null;
    s = s.slice(0, lastColon + 1) + "0:0";
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const head = halves[0] === "" ? [] : halves[0]!.split(":");
  const rest = halves.length === 2 ? (halves[1] === "" ? [] : halves[1]!.split(":")) : [];
  const total = head.length + rest.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  const groups = [...head, ...new Array<string>(8 - total).fill("0"), ...rest];
  for (let i = 0; i < 8; i++) {
    const g = groups[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  }
  if (tail) out.set(tail, 12);
  return out;
}

/**
 * Parses an IP literal (no port) into 4 or 16 bytes; null if it is not an IP literal.
 *
 * @example parseIp("10.0.0.1") // Uint8Array [10, 0, 0, 1]
 */
export function parseIp(text: string): Uint8Array | null {
  const t = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  return t.includes(":") ? parseIpv6(t) : parseIpv4(t);
}

/**
 * Parses `"ip:port"`, `"[v6]:port"` or a bare `"v6:...:port"` (last colon separates the port).
 * Throws HostAddressError on anything else. Results are memoized and shared: treat them as read-only.
 *
 * @example parseHostAddress("1.2.3.4:10911") // { ip: [1,2,3,4], port: 10911 }
 */
export function parseHostAddress(text: string): HostAddress {
  // The broker parses its peer's address for every stored message; peers are few, so remember them.
  let h = parsedHosts.get(text);
  if (h === undefined) {
    h = parseHostAddressUncached(text);
    if (parsedHosts.size >= PARSED_HOSTS_MAX) parsedHosts.clear();
    parsedHosts.set(text, h);
  }
  return h;
}

const parsedHosts = new Map<string, HostAddress>();
const PARSED_HOSTS_MAX = 4096;

function parseHostAddressUncached(text: string): HostAddress {
  let ipText: string;
  let portText: string;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0 || text[close + 1] !== ":") {
      throw new HostAddressError(`Cannot parse host address "${text}"`);
    }
    ipText = text.slice(1, close);
    portText = text.slice(close + 2);
  } else {
    const colon = text.lastIndexOf(":");
    if (colon < 0) throw new HostAddressError(`Cannot parse host address "${text}": no port`);
    ipText = text.slice(0, colon);
    portText = text.slice(colon + 1);
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw new HostAddressError(`Cannot parse host address "${text}": bad port "${portText}"`);
  }
  const ip = parseIp(ipText);
  if (ip === null) throw new HostAddressError(`Cannot parse host address "${text}": bad IP "${ipText}"`);
  return { ip, port: Number(portText) };
}

/** The IP part as text: dotted IPv4, or the canonical compressed IPv6 form (RFC 5952). */
export function ipToString(ip: Uint8Array): string {
  if (ip.length === 4) return `${ip[0]}.${ip[1]}.${ip[2]}.${ip[3]}`;
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip[i]! << 8) | ip[i + 1]!);
  // Longest run of zero groups (length ≥ 2) is compressed to "::".
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(":");
  return hex.slice(0, bestStart).join(":") + "::" + hex.slice(bestStart + bestLen).join(":");
}

/**
 * `"ip:port"`; IPv6 addresses are written bare with the port after the last colon, the way Java's
 * `RemotingHelper` renders them (e.g. `"::1:10911"`), so that `parseHostAddress` reads them back.
 */
export function hostToString(h: HostAddress): string {
  return `${ipToString(h.ip)}:${h.port}`;
}

/** True if the address is IPv6 (16 bytes). */
export function isIpv6(h: HostAddress): boolean {
  return h.ip.length === 16;
}
