/**
 * Where a sampling heap profile's bytes were allocated (bench/src/alloc-sampler.ts keeps the garbage too):
 * bytes by module and by function, each with its share, and the callers of the top functions.
 * Usage: node alloc-summary.ts <file.heapprofile> [--top 25] [--requests <n>] [--callers <function> --depth 6]
 */
import fs from "node:fs";
import { type Frame, moduleOf } from "./src/profile-modules.ts";

interface AllocNode {
  id: number;
  callFrame: Frame;
  selfSize: number;
  children: AllocNode[];
}

const args = process.argv.slice(2);
const option = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const file = args.find((a, i) => !a.startsWith("--") && !args[i - 1]?.startsWith("--"));
if (!file) throw new Error("usage: node alloc-summary.ts <file.heapprofile> [--top 25] [--requests <n>]");
const top = Number(option("--top") ?? 25);
const requests = option("--requests") ? Number(option("--requests")) : undefined;
const callersOf = option("--callers");
const depth = Number(option("--depth") ?? 6);
const root = (JSON.parse(fs.readFileSync(file, "utf8")) as { head: AllocNode }).head;

const byModule = new Map<string, number>();
const byFunction = new Map<string, number>();
const callers = new Map<string, number>();
let total = 0;
const name = (f: Frame) => `${f.functionName || "(anonymous)"} [${moduleOf(f)}]`;
(function walk(node: AllocNode, stack: Frame[]) {
  const here = [...stack, node.callFrame];
  if (node.selfSize > 0) {
    total += node.selfSize;
    const m = moduleOf(node.callFrame);
    byModule.set(m, (byModule.get(m) ?? 0) + node.selfSize);
    const fn = name(node.callFrame);
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + node.selfSize);
    if (callersOf && (node.callFrame.functionName || "(anonymous)") === callersOf) {
      const chain = here
        .slice(-depth - 1, -1)
        .reverse()
        .map(name)
        .join(" < ");
      callers.set(chain, (callers.get(chain) ?? 0) + node.selfSize);
    }
  }
  for (const child of node.children) walk(child, here);
})(root, []);

const fmt = (bytes: number) =>
  `${((100 * bytes) / total).toFixed(1).padStart(5)} % ${(bytes / 1024).toFixed(0).padStart(9)} KB${
    requests ? `${(bytes / requests).toFixed(0).padStart(7)} B/req` : ""
  }`;
const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${fmt(v)}  ${k}`);
};
console.log(
  `${file}: ${(total / 1024 / 1024).toFixed(1)} MB sampled${requests ? `, ${requests} requests` : ""}`,
);
show("bytes by module", byModule);
show("bytes by function", byFunction);
if (callersOf) show(`callers of ${callersOf}`, callers);
