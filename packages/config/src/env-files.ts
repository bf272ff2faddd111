import fs from "node:fs";
import path from "node:path";
import { parseEnv } from "node:util";
import type { Env } from "./load-config.ts";

/** Read in this order; a later file wins over an earlier one, and the real environment over both. */
export const ENV_FILES = [".env", ".env.local"] as const;

/** What the configuration files of a folder set: merged values, and which files existed. */
export interface EnvFiles {
  readonly values: Readonly<Record<string, string>>;
  /** The files read, as absolute paths, in reading order. */
  readonly files: readonly string[];
}

/**
 * Reads `.env` then `.env.local` from `dir` with Node's own parser (`util.parseEnv`, the syntax of
 * `node --env-file`: `KEY=value`, quotes, `#` comments, no `${...}` expansion). Missing files are skipped;
 * an unreadable one (a directory, no permission) throws with its path, never its content.
 *
 * @example
 * const config = loadConfig(withEnvFiles(process.env, readEnvFiles(repoRoot)));
 */
export function readEnvFiles(dir: string): EnvFiles {
  const values: Record<string, string> = {};
  const files: string[] = [];
  for (const name of ENV_FILES) {
    const file = path.resolve(dir, name);
    let text: string;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? "unreadable"}`);
    }
    files.push(file);
    for (const [key, value] of Object.entries(parseEnv(text))) {
      if (value !== undefined) values[key] = value;
    }
  }
  return { values, files };
}

/**
 * The files' values under the real environment: a variable set in the environment wins. An empty one does
 * not, since `loadConfig` counts empty as unset (app.yaml, CI and shells all produce `VAR=`).
 */
export function withEnvFiles(env: Env, files: EnvFiles): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = { ...files.values };
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && (value.trim() !== "" || !(key in files.values))) merged[key] = value;
  }
  return merged;
}

/** What may be logged about the files: their paths and the names they set, never a value. */
export function describeEnvFiles(files: EnvFiles): { files: string[]; variables: string[] } {
  return { files: [...files.files], variables: Object.keys(files.values).sort() };
}
