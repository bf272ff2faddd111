// Runs first in every command that executes TypeScript with plain `node` (dev, start, build, test, the
// db postinstall, the web build). `node file.ts` needs type stripping on by default, which an older Node
// answers with a stack trace about an unknown ".ts" extension or a syntax error; this says what to do
// instead, in one line. Plain CommonJS without `node:` imports, so that any Node can run it.
"use strict";
// biome-ignore lint/style/useNodejsImportProtocol: must load on Node versions older than the node: prefix
const fs = require("fs");
// biome-ignore lint/style/useNodejsImportProtocol: must load on Node versions older than the node: prefix
const path = require("path");

const root = path.resolve(__dirname, "..");
// The floor is stated once, in the root package.json's engines (the bootstrap reads it there too).
const range = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).engines.node;
const floor = /(\d+)\.(\d+)/.exec(range);
const current = process.versions.node.split(".").map(Number);
const [major, minor] = [Number(floor[1]), Number(floor[2])];
if (current[0] < major || (current[0] === major && current[1] < minor)) {
  process.stderr.write(
    `lakebase-orders needs Node >= ${major}.${minor} (this is ${process.versions.node}, ${process.execPath}): ` +
      `run \`. scripts/bootstrap.sh\` in ${root}, then the same command again.\n`,
  );
  process.exit(1);
}
