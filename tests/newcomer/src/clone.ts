import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The checkout these tests run in (any clone or worktree of the project). */
export const checkout = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

function git(args: string[], cwd = checkout): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

export interface FreshClone {
  /** The folder holding the clone (`p/`), its logs and, when asked, a private home. */
  base: string;
  dir: string;
  sha: string;
  remove(): void;
}

/**
 * Clones the committed HEAD of this checkout into an empty folder, as a new user would clone the project.
 * The commit is checked out by its id: in a git worktree, a plain clone may check out the main
 * repository's HEAD instead. `../shared` (read-only reference material beside every clone) is linked in
 * when this checkout has it. `privateHome`: the clone sits under a 0700 folder, like a root home.
 */
export function freshClone(label: string, options: { privateHome?: boolean } = {}): FreshClone {
  const sha = git(["rev-parse", "HEAD"]);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), `newcomer-${label}-`));
  fs.chmodSync(base, 0o755);
  const parent = options.privateHome ? path.join(base, "home") : base;
  fs.mkdirSync(parent, { recursive: true, mode: options.privateHome ? 0o700 : 0o755 });
  fs.chmodSync(parent, options.privateHome ? 0o700 : 0o755);
  const dir = path.join(parent, "p");
  git(["clone", "--quiet", "--no-checkout", checkout, dir], base);
  // Fetched from the checkout itself: its HEAD may be on no branch the clone has.
  git(["fetch", "--quiet", checkout, "HEAD"], dir);
  git(["checkout", "--quiet", "--detach", sha], dir);
  const shared = path.resolve(checkout, "../shared");
  if (fs.existsSync(shared)) fs.symlinkSync(shared, path.join(parent, "shared"));
  return { base, dir, sha, remove: () => fs.rmSync(base, { recursive: true, force: true }) };
}

/** True when the checkout has changes that a fresh clone of HEAD will not see. */
export function uncommittedChanges(): boolean {
  return git(["status", "--porcelain", "--untracked-files=no"]) !== "";
}
