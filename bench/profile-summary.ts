/**
 * Where a V8 CPU profile's time goes: self time by module (for the bundle, the source file esbuild marks
 * with a `// path` comment before each module) and the top functions.
 * Usage: node profile-summary.ts <file.cpuprofile> [--top 25]
 */
import fs from "node:fs";
import { type Frame, moduleOf } from "./src/profile-modules.ts";

interface ProfileNode {
  id: number;
  callFrame: Frame;
}
interface Profile {
  nodes: ProfileNode[];
  /** Microseconds on the monotonic clock (process.hrtime's). */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file] = process.argv
  .slice(2)
  .filter((a, i, all) => !a.startsWith("--") && !all[i - 1]?.startsWith("--"));
if (!file) throw new Error("usage: node profile-summary.ts <file.cpuprofile> [--top 25]");
function option(name: string): string | undefined {
  return process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined;
}
const top = Number(option("--top") ?? 25);
const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
// --windows <file.json> --key <name>: only the samples inside the windows the bench recorded under that
// name (the measured runs of one scenario and server: [start, end] microseconds on the monotonic clock).
const windowsFile = option("--windows");
const windows = windowsFile
  ? ((JSON.parse(fs.readFileSync(windowsFile, "utf8")) as Record<string, [number, number][]>)[
      option("--key") ?? ""
    ] ?? [])
  : undefined;
if (windows && windows.length === 0) throw new Error(`no windows named ${option("--key")} in ${windowsFile}`);
const selfMs = new Map<number, number>();
let at = profile.startTime;
profile.samples.forEach((id, i) => {
  const delta = profile.timeDeltas[i] ?? 0;
  at += delta;
  if (windows && !windows.some(([from, to]) => at >= from && at <= to)) return;
  selfMs.set(id, (selfMs.get(id) ?? 0) + delta / 1000);
});
const total = [...selfMs.values()].reduce((a, b) => a + b, 0);
const byModule = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const [id, ms] of selfMs) {
  const frame = byId.get(id)?.callFrame;
  if (!frame) continue;
  const mod = moduleOf(frame);
  byModule.set(mod, (byModule.get(mod) ?? 0) + ms);
  const fn = `${frame.functionName || "(anonymous)"}  [${mod}:${frame.lineNumber + 1}]`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + ms);
}
const print = (title: string, m: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, ms] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(
      `${((ms / total) * 100).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(7)} ms  ${name}\n`,
    );
  }
};
process.stdout.write(`${file}: ${total.toFixed(0)} ms sampled\n`);
print("self time by module", byModule);
print("self time by function", byFunction);

// --callers <function name> [--depth 4]: where the named function's self time is called from.
const callersOf = process.argv.includes("--callers")
  ? process.argv[process.argv.indexOf("--callers") + 1]
  : undefined;
const depth = process.argv.includes("--depth")
  ? Number(process.argv[process.argv.indexOf("--depth") + 1])
  : 4;
if (callersOf) {
  const parent = new Map<number, number>();
  for (const n of profile.nodes as (ProfileNode & { children?: number[] })[]) {
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const chains = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const frame = byId.get(id)?.callFrame;
    if (frame?.functionName !== callersOf) continue;
    const names: string[] = [];
    let p = parent.get(id);
    for (let i = 0; i < depth && p !== undefined; i++) {
      const f = byId.get(p)!.callFrame;
      names.push(`${f.functionName || "(anonymous)"} [${moduleOf(f)}]`);
      p = parent.get(p);
    }
    const chain = names.join(" < ");
    chains.set(chain, (chains.get(chain) ?? 0) + ms);
  }
  print(`callers of ${callersOf}`, chains);
}
