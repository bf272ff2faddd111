import fs from "node:fs/promises";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { serve } from "@hono/node-server";
import { createOrdersFixture, type OrdersFixture } from "@lakebase-orders/api/testing";
import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

interface Document {
  openapi: string;
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
  components: { schemas: Record<string, object> };
}

let f: OrdersFixture;
let server: ReturnType<typeof serve>;
let baseUrl: string;
let doc: Document;
// Inside the package so that the generated client resolves openapi-fetch as any source would.
const workDir = path.join(
  import.meta.dirname,
  "../../../test-artifacts",
  `rest-client-${process.pid}-${Date.now()}`,
);

beforeAll(async () => {
  f = await createOrdersFixture("api_rest_openapi", 500);
  server = await new Promise((resolve) => {
    const s = serve({ fetch: f.app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  doc = (await (await fetch(`${baseUrl}/api/openapi.json`)).json()) as Document;
  await fs.mkdir(workDir, { recursive: true });
}, 120_000);

afterAll(async () => {
  if (server) {
    if ("closeAllConnections" in server) server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await f?.close();
  await fs.rm(workDir, { recursive: true, force: true });
});

describe("the OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document with the guide's operations", async () => {
    const validator = new Validator();
    // The validator takes any JSON object (and may annotate it: give it a copy).
    const result = await validator.validate(structuredClone(doc) as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
    const operations = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    expect(operations).toEqual(
      expect.arrayContaining([
        "GET /api/v1/orders/count",
        "GET /api/v1/orders/pages",
        "GET /api/v1/orders/stream",
        "GET /api/v1/orders/{order_key}",
        "POST /api/v1/orders/{order_key}/status",
        "POST /api/v1/resources/create-lakebase-resources",
        "DELETE /api/v1/resources/delete-lakebase-resources",
        "GET /api/v1/resources/branches",
        "POST /api/v1/resources/branches",
        "DELETE /api/v1/resources/branches/{branch_id}",
        "GET /api/v1/resources/branches/{branch_id}/endpoints",
        "POST /api/v1/resources/branches/{branch_id}/endpoints",
        "PATCH /api/v1/resources/branches/{branch_id}/endpoints/{endpoint_id}",
        "DELETE /api/v1/resources/branches/{branch_id}/endpoints/{endpoint_id}",
        "POST /api/v1/resources/branches/{branch_id}/data",
      ]),
    );
  });

  it("describes the bodies the server actually sends, errors included", async () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      ajv.addSchema(schema, `#/components/schemas/${name}`);
    }
    const cases: [string, string, string, RequestInit?][] = [
      ["/api/v1/orders/{order_key}", "/api/v1/orders/1", "get"],
      ["/api/v1/orders/{order_key}", "/api/v1/orders/0", "get"],
      ["/api/v1/orders/{order_key}", "/api/v1/orders/999999999", "get"],
      ["/api/v1/orders/count", "/api/v1/orders/count", "get"],
      ["/api/v1/orders/pages", "/api/v1/orders/pages?page_size=3", "get"],
      ["/api/v1/orders/pages", "/api/v1/orders/pages?page_size=3&include_count=false", "get"],
      ["/api/v1/orders/stream", "/api/v1/orders/stream?cursor=0&page_size=3", "get"],
      ["/api/v1/orders/stats", "/api/v1/orders/stats", "get"],
      ["/api/v1/orders/sample", "/api/v1/orders/sample", "get"],
      ["/api/v1/orders/{order_key}/history", "/api/v1/orders/2/history", "get"],
      ["/api/v1/resources/status", "/api/v1/resources/status", "get"],
      ["/api/v1/resources/create-lakebase-resources", "/api/v1/resources/create-lakebase-resources", "post"],
      ["/api/v1/healthcheck", "/api/v1/healthcheck", "get"],
      // Not an Autoscaling app: 412, documented like every other answer.
      ["/api/v1/resources/branches", "/api/v1/resources/branches", "get"],
      ["/api/v1/resources/branches", "/api/v1/resources/branches?branch_id=dev&no_expiry=true", "post"],
      ["/api/v1/resources/branches", "/api/v1/resources/branches?branch_id=Bad_Id", "post"],
      [
        "/api/v1/resources/branches/{branch_id}/endpoints/{endpoint_id}",
        "/api/v1/resources/branches/dev/endpoints/reader?max_cu=2",
        "patch",
      ],
      [
        "/api/v1/orders/{order_key}/status",
        "/api/v1/orders/3/status",
        "post",
        { headers: { "Content-Type": "application/json" }, body: JSON.stringify({ o_orderstatus: "P" }) },
      ],
    ];
    for (const [template, url, method, init] of cases) {
      const res = await fetch(`${baseUrl}${url}`, { method: method.toUpperCase(), ...init });
      const documented = doc.paths[template]?.[method]?.responses[String(res.status)];
      expect(
        documented,
        `${method} ${url} answered ${res.status}, which its operation does not document`,
      ).toBeDefined();
      const schema = documented?.content?.["application/json"]?.schema ?? {};
      const body: unknown = await res.json();
      const valid = ajv.validate(schema, body);
      expect(
        ajv.errors ?? [],
        `${method} ${url} (${res.status}): ${JSON.stringify(body).slice(0, 200)}`,
      ).toEqual([]);
      expect(valid).toBe(true);
    }
  });
});

const CLIENT = `import createClient from "openapi-fetch";
import type { paths } from "./schema.ts";

export async function run(baseUrl: string) {
  const api = createClient<paths>({ baseUrl });
  const count = await api.GET("/api/v1/orders/count");
  const total: number = count.data!.total_orders;
  const page = await api.GET("/api/v1/orders/pages", { params: { query: { page: 2, page_size: 5, include_count: true } } });
  const totalPages: number | undefined = page.data!.pagination.total_pages;
  const stream = await api.GET("/api/v1/orders/stream", { params: { query: { cursor: 0, page_size: 3 } } });
  const next: number | null = stream.data!.pagination.next_cursor;
  const key = stream.data!.orders[0]!.o_orderkey;
  const order = await api.GET("/api/v1/orders/{order_key}", { params: { path: { order_key: key } } });
  const price: number = order.data!.o_totalprice;
  const updated = await api.POST("/api/v1/orders/{order_key}/status", {
    params: { path: { order_key: key } },
    body: { o_orderstatus: "F" },
  });
  const status: string = updated.data!.o_orderstatus;
  const missing = await api.GET("/api/v1/orders/{order_key}", { params: { path: { order_key: 999999999 } } });
  const detail: string | undefined = missing.error?.detail;
  return { total, totalPages, next, key, price, status, detail, missingStatus: missing.response.status };
}
`;

// Each line must fail to compile: the generated types are precise, not \`any\`.
const WRONG = `import createClient from "openapi-fetch";
import type { paths } from "./schema.ts";

const api = createClient<paths>({ baseUrl: "http://x" });
export async function wrong() {
  await api.GET("/api/v1/orders/pages", { params: { query: { page_size: "many" } } });
  const n: string = (await api.GET("/api/v1/orders/count")).data!.total_orders;
  await api.POST("/api/v1/orders/{order_key}/status", { params: { path: { order_key: 1 } }, body: { status: "F" } });
  await api.GET("/api/v1/orders/nowhere");
  await api.POST("/api/v1/orders/{order_key}/status", { params: { path: { order_key: 1 } }, body: { o_orderstatus: "Z" } });
  return n;
}
`;

function compile(files: string[]) {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.Preserve,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    allowImportingTsExtensions: true,
    lib: ["lib.es2023.d.ts", "lib.dom.d.ts"],
    types: [],
    // The libraries' own declarations are not under test; the generated schema and the clients are.
    skipLibCheck: true,
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ({
    file: d.file ? path.basename(d.file.fileName) : "",
    line: d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0,
    text: ts.flattenDiagnosticMessageText(d.messageText, "\n"),
  }));
}

describe("a client generated from the running server's document", () => {
  it("compiles (openapi-typescript + openapi-fetch), rejects wrong calls, and works against the server", {
    timeout: 60_000,
  }, async () => {
    const schema = astToString(await openapiTS(new URL(`${baseUrl}/api/openapi.json`)));
    await fs.writeFile(path.join(workDir, "schema.ts"), schema);
    await fs.writeFile(path.join(workDir, "client.ts"), CLIENT);
    await fs.writeFile(path.join(workDir, "wrong.ts"), WRONG);

    // One program for both files (compiling is the slow part).
    const errors = compile([path.join(workDir, "client.ts"), path.join(workDir, "wrong.ts")]);
    expect(errors.filter((e) => e.file !== "wrong.ts")).toEqual([]);
    expect([...new Set(errors.map((e) => e.line))]).toEqual([6, 7, 8, 9, 10]);

    const client = (await import(path.join(workDir, "client.ts"))) as {
      run(baseUrl: string): Promise<unknown>;
    };
    const result = await client.run(baseUrl);
    expect(result).toMatchObject({
      total: 500,
      totalPages: 100,
      next: expect.any(Number),
      price: expect.any(Number),
      status: "F",
      detail: "Order 999999999 not found",
      missingStatus: 404,
    });
  });
});
