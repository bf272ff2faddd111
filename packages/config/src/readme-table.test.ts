import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { withVariableTables } from "./readme-table.ts";
import { VARIABLES } from "./variables/catalogue.ts";

const readmePath = new URL("../../../README.md", import.meta.url);

describe("the README's variable tables", () => {
  it("are the ones the variable catalogue renders (run `pnpm --filter @lakebase-orders/config readme` to update)", () => {
    const readme = fs.readFileSync(readmePath, "utf8");
    expect(readme).toBe(withVariableTables(readme));
  });

  it("name every variable exactly once", () => {
    const readme = fs.readFileSync(readmePath, "utf8");
    for (const name of Object.keys(VARIABLES)) {
      expect(readme.split(`| \`${name}\` |`).length - 1, name).toBe(1);
    }
  });
});
