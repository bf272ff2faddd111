import { createOrdersFixture, type OrdersFixture } from "@lakebase-orders/api/testing";
import { loadConfig } from "@lakebase-orders/config";
import { scrubSecrets } from "@lakebase-orders/log";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportFileName } from "../export/file-name.ts";
import { isAllowedHost } from "../identity/hosts.ts";
import { identityFrom } from "../identity/identity.ts";
import { orderDate } from "../orders/schemas.ts";
import { camelKey, snakeKey } from "../rest/fields/snake.ts";
import { speakerFor } from "../rest/problem.ts";
import { viewId, viewName } from "../views/schemas.ts";
import { jsonBodiesOnly } from "./guards/json-bodies.ts";
import { requestIdFrom } from "./request-id.ts";
import { trpcProcedureNames } from "./trpc/procedure-names.ts";

// Every regular expression that sees what a caller sends, run on adversarial input: long runs of each
// character the patterns care about, pairs of them repeated, a run ending in the one character that makes a
// match fail (what drives a backtracking engine quadratic or worse). Each call must stay under a CPU bound far
// above linear cost and far below what backtracking costs at these sizes (the old scrubbing took 121 ms on
// 16 KB, so about half a second at these 32 KB). CPU time, not wall time, and the better of two runs: a loaded machine
// or a garbage collection does not move it.
const SIZE = 32 * 1024;
const CPU_BOUND_MS = 50;
const ALPHABET = [
  "a",
  "Z",
  "0",
  "-",
  ".",
  "_",
  ":",
  "/",
  "@",
  " ",
  "\t",
  "%",
  "é",
  "<",
  ",",
  '"',
  "+",
  "=",
  "?",
  "\\",
  "[",
  "]",
  "\u0000",
  "x://",
  "dapi",
];

function* adversarial(size: number): Generator<string> {
  for (const a of ALPHABET) {
    yield a.repeat(Math.ceil(size / a.length));
    for (const b of ALPHABET) {
      if (a === b) continue;
      const pair = a + b;
      yield pair.repeat(Math.ceil(size / pair.length));
      yield `${a.repeat(Math.ceil(size / a.length))}${b}`;
    }
  }
  yield `a@${"a".repeat(size)}`;
  yield `${"a".repeat(64)}@${"a-".repeat(size / 2)}!`;
}

/** As a header value may hold it: no NUL (Headers refuses it). */
const headerSafe = (text: string) => text.split("\u0000").join("");
/** Printable ASCII only, other characters as "a": what every HTTP client can send in any header. */
const printable = (text: string) => Array.from(text, (ch) => (ch >= " " && ch <= "~" ? ch : "a")).join("");

function cpuMs(run: () => unknown): number {
  const best = [0, 1].map(() => {
    const before = process.cpuUsage();
    run();
    const used = process.cpuUsage(before);
    return (used.user + used.system) / 1000;
  });
  return Math.min(...best);
}

function worstCase(name: string, fn: (input: string) => unknown, size = SIZE): { ms: number; input: string } {
  let worst = { ms: 0, input: "" };
  for (const input of adversarial(size)) {
    const ms = cpuMs(() => fn(input));
    if (ms > worst.ms) worst = { ms, input: `${JSON.stringify(input.slice(0, 12))}… (${input.length})` };
  }
  expect(worst.ms, `${name}: worst ${worst.ms.toFixed(1)} ms on ${worst.input}`).toBeLessThan(CPU_BOUND_MS);
  return worst;
}

const identityRules = { ...loadConfig({ DATABRICKS_APP_NAME: "x" }).identity, allowedHosts: ["devbox.lan"] };
const localRules = { ...loadConfig({}).identity, allowedHosts: ["devbox.lan"] };
const speak = speakerFor([
  new Map([
    ["dateFrom", "date_from"],
    ["pageSize", "page_size"],
  ]),
]);

// Each function that applies a regular expression to caller input, with what it is given.
const FUNCTIONS: [string, (input: string) => unknown][] = [
  [
    "identity: X-Forwarded-Email",
    (v) =>
      identityFrom(
        {
          headers: new Headers({ "x-forwarded-email": headerSafe(v) }),
          remoteAddress: "10.0.0.1",
        },
        identityRules,
      ),
  ],
  [
    "identity: X-Forwarded-User",
    (v) =>
      identityFrom(
        { headers: new Headers({ "x-forwarded-user": headerSafe(v) }), remoteAddress: "10.0.0.1" },
        identityRules,
      ),
  ],
  [
    "identity: Host and Origin",
    (v) =>
      identityFrom(
        {
          headers: new Headers({
            host: headerSafe(v),
            origin: `http://${headerSafe(v)}`,
          }),
          remoteAddress: "127.0.0.1",
        },
        localRules,
      ),
  ],
  ["allowed hosts", (v) => isAllowedHost(v, ["devbox.lan", "a.b:80"])],
  ["request id", (v) => requestIdFrom(new Headers({ "x-request-id": headerSafe(v) }))],
  ["log scrubbing", (v) => scrubSecrets(v)],
  ["view name", (v) => viewName.safeParse(v)],
  ["view id", (v) => viewId.safeParse(v)],
  ["order date", (v) => orderDate.safeParse(v)],
  ["REST messages", (v) => speak(v)],
  ["REST field names", (v) => [snakeKey(v), camelKey(v)]],
  ["tRPC procedure names", (v) => trpcProcedureNames(`/api/trpc/${encodeURIComponent(v)}`)],
  ["export file name", (v) => exportFileName({ priority: v as never }, "orderKey")],
];

describe("regular expressions on caller input", () => {
  it.each(FUNCTIONS)("%s stays linear on adversarial input", (name, fn) => {
    worstCase(name, fn);
  });

  it("the JSON body check on adversarial Content-Type headers", async () => {
    const app = new Hono().use(jsonBodiesOnly()).post("/", (c) => c.text("ok"));
    let worst = 0;
    for (const type of adversarial(8 * 1024)) {
      const header = `application/json;${printable(type)}`;
      const before = process.cpuUsage();
      await app.request("/", { method: "POST", headers: { "content-type": header }, body: "{}" });
      const used = process.cpuUsage(before);
      worst = Math.max(worst, (used.user + used.system) / 1000);
    }
    expect(worst).toBeLessThan(CPU_BOUND_MS);
  });
});

describe("the whole API on adversarial requests", () => {
  let f: OrdersFixture;
  beforeAll(async () => {
    f = await createOrdersFixture("api_regex_safety", 100, { RATE_LIMIT_READS_PER_MINUTE: "0" });
  }, 120_000);
  afterAll(async () => {
    await f?.close();
  });

  it("answers 16 KB paths, queries and headers (Node's header limit) within the same bound each, router and guards included", async () => {
    const size = 16 * 1024;
    let worst = { ms: 0, what: "" };
    let requests = 0;
    let family = 0;
    for (const text of adversarial(size)) {
      // Every other family: the functions above have seen them all; here the router and guards around them.
      if (family++ % 2 === 1) continue;
      const piece = encodeURIComponent(text).slice(0, size);
      for (const [what, path, headers] of [
        ["path", `/api/trpc/${piece}`, {}],
        ["REST path", `/api/v1/orders/${piece}`, {}],
        [
          "query",
          `/api/trpc/orders.count?input=${encodeURIComponent(JSON.stringify({ dateFrom: text.slice(0, size / 4) }))}`,
          {},
        ],
        ["REST query", `/api/v1/orders/count?date_from=${piece}&${piece.slice(0, 200)}=1`, {}],
        [
          "headers",
          "/api/health",
          {
            "x-request-id": printable(text),
            "x-forwarded-email": printable(text),
          },
        ],
      ] as const) {
        const before = process.cpuUsage();
        const res = await f.fetch(path, { headers });
        await res.arrayBuffer();
        const used = process.cpuUsage(before);
        const ms = (used.user + used.system) / 1000;
        requests++;
        expect(res.status, `${what} ${path.slice(0, 60)}`).toBeLessThan(500);
        if (ms > worst.ms) worst = { ms, what: `${what} ${JSON.stringify(text.slice(0, 12))}` };
      }
    }
    expect(requests).toBeGreaterThan(1500);
    expect(worst.ms, `worst: ${worst.what}`).toBeLessThan(CPU_BOUND_MS);
  });
});
