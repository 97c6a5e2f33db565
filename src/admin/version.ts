/**
 * MQVersion names for version ordinals (remoting-protocol.md §2.5), as connection listings print them:
 * releases 4.0.0–5.9.9 are `213 + 2 × ((major − 4) × 100 + minor × 10 + patch)`, each SNAPSHOT one less.
 */
const OLD_VERSIONS: Record<number, string> = {
  28: "V3_0_7_SNAPSHOT",
  37: "V3_0_11",
  62: "V3_1_8_SNAPSHOT",
  121: "V3_4_9",
};

/**
 * The version constant's name for an ordinal.
 *
 * @example
 * ```ts
 * versionDesc(409); // "V4_9_8"
 * versionDesc(316); // "V4_5_2_SNAPSHOT"
 * ```
 */
export function versionDesc(ordinal: number): string {
  if (ordinal === 612) return "HIGHER_VERSION";
  if (ordinal >= 212 && ordinal < 612) {
    const snapshot = (ordinal - 213) % 2 !== 0;
    const n = snapshot ? (ordinal - 212) / 2 : (ordinal - 213) / 2;
    const name = `V${4 + Math.floor(n / 100)}_${Math.floor((n % 100) / 10)}_${n % 10}`;
    return snapshot ? `${name}_SNAPSHOT` : name;
  }
  return OLD_VERSIONS[ordinal] ?? `V${ordinal}`;
}
