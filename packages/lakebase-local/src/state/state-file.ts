import fs from "node:fs/promises";
import path from "node:path";
import type { LocalState } from "./records.ts";

/** JSON persistence of the resource state (dev only). Writes are serialized and atomic (write + rename). */
export class StateFile {
  readonly file: string;
  #chain: Promise<void> = Promise.resolve();

  constructor(dataDir: string) {
    this.file = path.join(dataDir, "lakebase-local-state.json");
  }

  async load(): Promise<LocalState | undefined> {
    const text = await fs.readFile(this.file, "utf8").catch(() => undefined);
    if (text === undefined) return undefined;
    const parsed = JSON.parse(text) as LocalState;
    if (parsed.version !== 1)
      throw new Error(`lakebase-local: unsupported state file version in ${this.file}`);
    return parsed;
  }

  save(state: LocalState): Promise<void> {
    const snapshot = JSON.stringify(state, null, 2);
    this.#chain = this.#chain.then(async () => {
      const tmp = `${this.file}.tmp`;
      await fs.writeFile(tmp, snapshot);
      await fs.rename(tmp, this.file);
    });
    return this.#chain;
  }
}
