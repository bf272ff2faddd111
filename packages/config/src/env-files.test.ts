import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeEnvFiles, readEnvFiles, withEnvFiles } from "./env-files.ts";
import { ConfigError, loadConfig } from "./load-config.ts";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "env-files-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);

describe("readEnvFiles", () => {
  it("reads nothing from a folder without the files", () => {
    expect(readEnvFiles(dir)).toEqual({ values: {}, files: [] });
    expect(readEnvFiles(path.join(dir, "missing"))).toEqual({ values: {}, files: [] });
  });

  it("reads .env then .env.local, the later winning, with Node's --env-file syntax", () => {
    write(
      ".env",
      [
        "# a comment",
        "PORT=9001",
        "LOG_LEVEL=debug",
        'LAKEBASE_INSTANCE_NAME="from-env"  # quoted, trailing comment',
        "APP_ADMINS='ada@example.com,bob@example.com'",
        'MULTI="one',
        'two"',
        "NOT_EXPANDED=${PORT}",
      ].join("\n"),
    );
    write(".env.local", "LOG_LEVEL=warn\nLOCAL_ONLY=yes\n");
    const files = readEnvFiles(dir);
    expect(files.files).toEqual([path.join(dir, ".env"), path.join(dir, ".env.local")]);
    expect(files.values).toEqual({
      PORT: "9001",
      LOG_LEVEL: "warn",
      LAKEBASE_INSTANCE_NAME: "from-env",
      APP_ADMINS: "ada@example.com,bob@example.com",
      MULTI: "one\ntwo",
      NOT_EXPANDED: "${PORT}",
      LOCAL_ONLY: "yes",
    });
  });

  it("names an unreadable file without its content", () => {
    fs.mkdirSync(path.join(dir, ".env"));
    expect(() => readEnvFiles(dir)).toThrow(`cannot read ${path.join(dir, ".env")}: EISDIR`);
  });
});

describe("withEnvFiles", () => {
  it("lets the real environment win, except an empty value (which counts as unset)", () => {
    write(".env", "PORT=9001\nHOST=127.0.0.1\nLOG_LEVEL=debug\n");
    const merged = withEnvFiles({ PORT: "7000", HOST: "", OTHER: "x", NONE: undefined }, readEnvFiles(dir));
    expect(merged).toEqual({ PORT: "7000", HOST: "127.0.0.1", LOG_LEVEL: "debug", OTHER: "x" });
  });

  it("feeds loadConfig: the files configure the app like the environment does", () => {
    write(".env", "DATABRICKS_HOST=https://x.cloud.databricks.com\nDATABRICKS_TOKEN=dapi-from-file\n");
    write(".env.local", "LAKEBASE_INSTANCE_NAME=mine\n");
    const config = loadConfig(withEnvFiles({ LAKEBASE_CATALOG_NAME: "cat" }, readEnvFiles(dir)));
    expect(config.databricks).toMatchObject({
      host: "https://x.cloud.databricks.com",
      token: "dapi-from-file",
    });
    expect(config.lakebase).toMatchObject({ instanceName: "mine", catalogName: "cat" });
  });
});

describe("secrets from the files never reach a log line or an error", () => {
  it("describes the files by path and variable names only", () => {
    write(".env", "DATABRICKS_TOKEN=dapi-super-secret\nPGPASSWORD=hunter2\n");
    const described = describeEnvFiles(readEnvFiles(dir));
    expect(described).toEqual({
      files: [path.join(dir, ".env")],
      variables: ["DATABRICKS_TOKEN", "PGPASSWORD"],
    });
    expect(JSON.stringify(described)).not.toMatch(/super-secret|hunter2/);
  });

  it("a bad secret from a file fails loadConfig by name, not by value", () => {
    write(".env.local", "LAKEBASE_PG_URL=mysql://u:hunter2@h/db\n");
    const error = (() => {
      try {
        loadConfig(withEnvFiles({}, readEnvFiles(dir)));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain("LAKEBASE_PG_URL:");
    expect((error as Error).message).not.toContain("hunter2");
  });
});
