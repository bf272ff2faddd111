import { parseArgs } from "node:util";
import { z } from "zod";

export const SOURCE_USAGE = `usage: lakebase-local source <command> [options]
  insert --count N [--set col=value ...]      new orders after the last key
  update (--keys k1,k2,... | --range from-to) --set col=value [--set ...]
  delete (--keys k1,k2,... | --range from-to)
  head                                        the source's current version
options:
  --rest-url URL   the running local Lakebase (default: DATABRICKS_HOST)
  --token T        a workspace admin's token (default: DATABRICKS_TOKEN; never printed)
Each change is one commit of samples.tpch.orders (a new version); prints the answer as one JSON line.`;

const NUMERIC = new Set(["o_custkey", "o_shippriority"]);

const argsSchema = z.object({
  command: z.enum(["insert", "update", "delete", "head"], {
    error: "command must be insert, update, delete or head",
  }),
  restUrl: z.url({ error: "--rest-url (or DATABRICKS_HOST) must be the local Lakebase's URL" }),
  token: z.string({ error: "--token (or DATABRICKS_TOKEN) is required" }).min(1),
});

/**
 * `pnpm lakebase-local source ...`: changes the source of a running local Lakebase through
 * `POST /__local/source` (so another process, e.g. a bench, sees what a Delta commit would do).
 * Returns the exit code: 0 done, 1 refused or unreachable, 2 bad arguments.
 */
export async function runSourceCli(
  argv: string[],
  env: { DATABRICKS_HOST?: string | undefined; DATABRICKS_TOKEN?: string | undefined },
  out: { stdout(line: string): void; stderr(line: string): void },
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv, env);
  } catch (error) {
    out.stderr(`${(error as Error).message}\n\n${SOURCE_USAGE}`);
    return 2;
  }
  const { command, restUrl, token, body } = parsed;
  const url = new URL("/__local/source", restUrl);
  try {
    const response = await fetch(url, {
      method: command === "head" ? "GET" : "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
      ...(command === "head" ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await response.text();
    if (!response.ok) {
      out.stderr(`source ${command} refused (${response.status}): ${text}`);
      return 1;
    }
    out.stdout(text.trim());
    return 0;
  } catch (error) {
    out.stderr(`source ${command}: cannot reach ${url.origin}: ${(error as Error).message}`);
    return 1;
  }
}

function parse(
  argv: string[],
  env: { DATABRICKS_HOST?: string | undefined; DATABRICKS_TOKEN?: string | undefined },
) {
  const { values, positionals } = parseArgs({
    args: argv.filter((a) => a !== "--"),
    options: {
      "rest-url": { type: "string" },
      token: { type: "string" },
      count: { type: "string" },
      keys: { type: "string" },
      range: { type: "string" },
      set: { type: "string", multiple: true },
    },
    allowPositionals: true,
    strict: true,
  });
  const base = argsSchema.safeParse({
    command: positionals[0],
    restUrl: values["rest-url"] ?? env.DATABRICKS_HOST,
    token: values.token ?? env.DATABRICKS_TOKEN,
  });
  if (!base.success) throw new Error(base.error.issues[0]?.message ?? "bad arguments");
  const set = Object.fromEntries(
    (values.set ?? []).map((pair) => {
      const eq = pair.indexOf("=");
      if (eq <= 0) throw new Error(`--set takes column=value, got '${pair}'`);
      const column = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      return [column, NUMERIC.has(column) ? Number(value) : value];
    }),
  );
  const keys = values.keys?.split(",").map((k) => Number(k.trim()));
  const range = values.range ? /^(\d+)-(\d+)$/.exec(values.range) : undefined;
  if (values.range && !range) throw new Error(`--range takes from-to, got '${values.range}'`);
  const where = {
    ...(keys ? { keys } : {}),
    ...(range ? { keyRange: { from: Number(range[1]), to: Number(range[2]) } } : {}),
  };
  const body =
    base.data.command === "insert"
      ? { op: "insert", count: Number(values.count), ...(Object.keys(set).length > 0 ? { set } : {}) }
      : base.data.command === "update"
        ? { op: "update", ...where, set }
        : { op: "delete", ...where };
  return { ...base.data, body };
}
