// `pnpm --filter @lakebase-orders/config readme`: rewrites the README's variable tables from src/variables/catalogue.ts.
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { withVariableTables } from "../src/readme-table.ts";

const readme = fileURLToPath(new URL("../../../README.md", import.meta.url));
fs.writeFileSync(readme, withVariableTables(fs.readFileSync(readme, "utf8")));
process.stdout.write(`updated ${readme}\n`);
