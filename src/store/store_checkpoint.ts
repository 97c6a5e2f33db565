/**
 * StoreCheckpoint: the 4096-byte `<root>/checkpoint` file (store-and-semantics.md §4.1).
 * Values live in memory; {@link StoreCheckpoint.flush} writes and syncs them.
 */
import * as fs from "node:fs";

const FILE_SIZE = 4096;

/** The checkpoint file. */
export class StoreCheckpoint {
  readonly path: string;
  physicMsgTimestamp = 0;
  logicsMsgTimestamp = 0;
  indexMsgTimestamp = 0;
  #fd: number;

  constructor(path: string) {
    this.path = path;
    this.#fd = fs.openSync(path, fs.existsSync(path) ? "r+" : "w+");
    if (fs.fstatSync(this.#fd).size < FILE_SIZE) fs.ftruncateSync(this.#fd, FILE_SIZE);
    const b = new Uint8Array(24);
    fs.readSync(this.#fd, b, 0, 24, 0);
    const dv = new DataView(b.buffer);
    this.physicMsgTimestamp = Number(dv.getBigInt64(0));
    this.logicsMsgTimestamp = Number(dv.getBigInt64(8));
    this.indexMsgTimestamp = Number(dv.getBigInt64(16));
  }

  /** `max(0, min(physic, logics) - 3000)`: everything stored before it is known durable. */
  get minTimestamp(): number {
    return Math.max(0, Math.min(this.physicMsgTimestamp, this.logicsMsgTimestamp) - 3000);
  }

  get minTimestampIndex(): number {
    return Math.min(this.minTimestamp, this.indexMsgTimestamp);
  }

  flush(): void {
    const b = new Uint8Array(24);
    const dv = new DataView(b.buffer);
    dv.setBigInt64(0, BigInt(Math.trunc(this.physicMsgTimestamp)));
    dv.setBigInt64(8, BigInt(Math.trunc(this.logicsMsgTimestamp)));
    dv.setBigInt64(16, BigInt(Math.trunc(this.indexMsgTimestamp)));
    fs.writeSync(this.#fd, b, 0, 24, 0);
    fs.fdatasyncSync(this.#fd);
  }

  close(): void {
    fs.closeSync(this.#fd);
  }
}
