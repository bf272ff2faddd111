// Ad-hoc: serve a build on the local Lakebase until Ctrl-C (for screenshots and manual checks).
import path from "node:path";
import { parseArgs } from "node:util";
import { serveBuild } from "./serve-build.ts";

const { values } = parseArgs({
  options: {
    dist: { type: "string" },
    rows: { type: "string", default: "1500000" },
    "data-dir": { type: "string" },
  },
});
if (!values.dist) throw new Error("--dist is required");
const served = await serveBuild({
  rows: Number(values.rows),
  staticDir: path.resolve(values.dist),
  ...(values["data-dir"] ? { dataDir: path.resolve(values["data-dir"]) } : {}),
});
console.log(JSON.stringify({ url: served.baseUrl }));
const stop = () => void served.stop().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
