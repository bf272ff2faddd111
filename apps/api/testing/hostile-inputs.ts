// Seeded hostile requests against /api/trpc, /api/v1 and the CSV export: wrong types, extremes, huge strings,
// unicode, nested junk, malformed JSON and URLs, batches, wrong methods and content types, forged headers, over
// every procedure. The same seed gives the same requests, so a failure found in CI replays locally.

import { QUERIES } from "../src/http/trpc/query-paths.ts";

// The queries are the router's own list (checked against the router by the compiler); the rest are
// written out here.
export { QUERIES };
export const ADMIN_MUTATIONS = [
  "lakebase.create",
  "lakebase.delete",
  "lakebase.stop",
  "lakebase.start",
  "lakebase.branches.create",
  "lakebase.branches.delete",
  "lakebase.endpoints.create",
  "lakebase.endpoints.update",
  "lakebase.endpoints.delete",
  "lakebase.data.attach",
] as const;
export const MUTATIONS = ["orders.updateStatus", "views.save", "views.delete", ...ADMIN_MUTATIONS] as const;
export const SUBSCRIPTIONS = ["lakebase.progress"] as const;
export const PROCEDURES = [...QUERIES, ...MUTATIONS, ...SUBSCRIPTIONS] as const;
export type Procedure = (typeof PROCEDURES)[number];

export interface HostileRequest {
  /** What kind of hostility, for the report. */
  kind: string;
  method: string;
  /** Path and query as sent, possibly malformed (bad escapes are sent as they are). */
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The procedures named in the path (for the admin-mutation check); empty when the path is junk. */
  procedures: string[];
  /** A subscription: read the first event, then hang up. */
  stream?: boolean;
  /** A REST admin route (`/api/v1/resources/...`): a 200 is an admin mutation that worked. */
  restAdmin?: boolean;
}

/** The REST routes (`/api/v1`), which call the same procedures through their own edge. */
const REST_ROUTES: { method: string; path: string; admin?: boolean }[] = [
  { method: "GET", path: "/orders/count" },
  { method: "GET", path: "/orders/pages" },
  { method: "GET", path: "/orders/stream" },
  { method: "GET", path: "/orders/sample" },
  { method: "GET", path: "/orders/stats" },
  { method: "GET", path: "/orders/{key}" },
  { method: "GET", path: "/orders/{key}/history" },
  { method: "POST", path: "/orders/{key}/status" },
  { method: "GET", path: "/resources/status" },
  { method: "POST", path: "/resources/create-lakebase-resources", admin: true },
  { method: "DELETE", path: "/resources/delete-lakebase-resources", admin: true },
  { method: "GET", path: "/resources/branches" },
  { method: "POST", path: "/resources/branches", admin: true },
  { method: "DELETE", path: "/resources/branches/{branch}", admin: true },
  { method: "GET", path: "/resources/branches/{branch}/endpoints" },
  { method: "POST", path: "/resources/branches/{branch}/endpoints", admin: true },
  { method: "PATCH", path: "/resources/branches/{branch}/endpoints/{endpoint}", admin: true },
  { method: "DELETE", path: "/resources/branches/{branch}/endpoints/{endpoint}", admin: true },
  { method: "POST", path: "/resources/branches/{branch}/data", admin: true },
];
const REST_FIELDS = [
  "page",
  "page_size",
  "status",
  "priority",
  "date_from",
  "date_to",
  "sort",
  "include_count",
  "cursor",
  "direction",
  "limit",
  "acknowledge_cost",
  "capacity",
  "node_count",
  "enable_readable_secondaries",
  "retention_window_in_days",
  "confirm_name",
  "branch_id",
  "source_branch_id",
  "point_in_time",
  "ttl_seconds",
  "expire_time",
  "no_expiry",
  "endpoint_id",
  "min_cu",
  "max_cu",
  "suspend_timeout_seconds",
  "no_suspension",
  "catalog_name",
  "create_resources",
  "o_orderstatus",
  "expected_status",
];

/** Percent-encodes; a lone surrogate (which has no UTF-8) goes as the invalid escape %ED%A0%80 instead. */
function uriEncode(text: string): string {
  const lone = /([\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff])/;
  return text
    .split(lone)
    .map((part, i) => (i % 2 === 1 ? "%ED%A0%80" : encodeURIComponent(part)))
    .join("");
}

/** mulberry32: small, fast, and the same everywhere. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NUMBERS = [
  0,
  -0,
  -1,
  1,
  1.5,
  -7.25,
  2 ** 31,
  2 ** 53,
  2 ** 63,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER,
  1e308,
  -1e308,
  5e-324,
  10_000_001,
  1001,
  999_999_999_999,
];
const STRINGS = [
  "",
  " ",
  "F",
  "f",
  "O",
  "X",
  "1-URGENT",
  "urgent",
  "orderKey",
  "-comment",
  "forward",
  "sideways",
  "0000-01-01",
  "0001-01-01",
  "1899-12-31",
  "1995-02-30",
  "1995-13-01",
  "9999-12-31",
  "+275760-09-13",
  "-001000-01-01",
  "1995-01-01T00:00:00Z",
  "yesterday",
  "NaN",
  "Infinity",
  "1e999",
  "null",
  "true",
  "' OR 1=1 --",
  "'; DROP TABLE app_data.order_status; --",
  "<script>alert(1)</script>",
  "../../../../etc/passwd",
  "%00",
  "\u0000",
  "\ud800",
  "\udfff\ud800",
  "\u202e\u0644\u0627",
  "💥🔥👨‍👩‍👧‍👦",
  "ｆｕｌｌｗｉｄｔｈ",
  "a\r\nX-Injected: 1",
  "${jndi:ldap://x}",
  "__proto__",
  "constructor",
  "lakebase-orders",
  "orders-local",
];
const KEYS = [
  "orderKey",
  "status",
  "expectedStatus",
  "page",
  "pageSize",
  "sort",
  "cursor",
  "direction",
  "priority",
  "dateFrom",
  "dateTo",
  "includeCount",
  "acknowledgeCost",
  "capacity",
  "nodeCount",
  "enableReadableSecondaries",
  "retentionWindowInDays",
  "confirmName",
  "compute",
  "branchId",
  "sourceBranchId",
  "pointInTime",
  "ttlSeconds",
  "expireTime",
  "noExpiry",
  "endpointId",
  "minCu",
  "maxCu",
  "suspendTimeoutSeconds",
  "catalogName",
  "lastEventId",
  "__proto__",
  "constructor",
  "",
  "💥",
];

export interface GeneratorOptions {
  /** The instance name the delete confirmation expects (so that a correct confirmation is sometimes sent). */
  instanceName?: string;
  /** Batches up to this size (beyond the server's limit on purpose). */
  maxBatch?: number;
}

/** `count` hostile requests from `seed`. */
export function hostileRequests(
  seed: number,
  count: number,
  options: GeneratorOptions = {},
): HostileRequest[] {
  const g = new Generator(seededRandom(seed), options);
  return Array.from({ length: count }, () => g.next());
}

class Generator {
  private readonly random: () => number;
  private readonly options: GeneratorOptions;

  constructor(random: () => number, options: GeneratorOptions) {
    this.random = random;
    this.options = options;
  }

  private int(n: number): number {
    return Math.floor(this.random() * n);
  }
  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  private chance(p: number): boolean {
    return this.random() < p;
  }

  /** A valid-looking input for a procedure (so that junk in one field is what the server sees). */
  private validInput(procedure: string): Record<string, unknown> | undefined {
    const filters = () => ({
      ...(this.chance(0.5) && { status: this.pick(["F", "O", "P"]) }),
      ...(this.chance(0.3) && { priority: this.pick(["1-URGENT", "3-MEDIUM", "5-LOW"]) }),
      ...(this.chance(0.3) && { dateFrom: `199${this.int(8)}-0${1 + this.int(9)}-1${this.int(9)}` }),
      ...(this.chance(0.3) && { dateTo: `1998-1${this.int(3)}-2${this.int(9)}` }),
    });
    switch (procedure) {
      case "orders.list":
        return { ...filters(), page: 1 + this.int(50), pageSize: 1 + this.int(200), sort: "orderKey" };
      case "orders.stream":
        return { ...filters(), cursor: this.int(5000), direction: this.pick(["forward", "backward"]) };
      case "orders.byKey":
      case "orders.history":
        return { orderKey: 1 + this.int(3000) };
      case "orders.count":
      case "orders.stats":
        return filters();
      case "orders.updateStatus":
        return { orderKey: 1 + this.int(3000), status: this.pick(["F", "O", "P"]) };
      case "orders.trend":
        return { splitBy: this.pick(["status", "priority"]), ...filters() };
      case "views.get":
      case "views.delete":
        return { id: this.chance(0.5) ? "AAAAAAAAAAAAAAAAAAAAAA" : "x".repeat(1 + this.int(80)) };
      case "views.save":
        return { name: `view ${this.int(100)}`, search: { ...filters(), sort: "orderKey" } };
      case "lakebase.create":
        return { acknowledgeCost: true, capacity: this.pick(["CU_1", "CU_2"]) };
      case "lakebase.delete":
        return { confirmName: this.chance(0.5) ? (this.options.instanceName ?? "x") : "wrong" };
      case "lakebase.progress":
        return this.chance(0.5) ? { lastEventId: "abcd1234:1" } : {};
      // Autoscaling: valid shapes that name branches which do not exist (a fuzzed admin must not make
      // real copies); the app's own branch and endpoint sometimes, to reach the refusals and updates.
      case "lakebase.branches.create":
        return {
          branchId: `fuzz-${this.int(5)}`,
          sourceBranchId: "no-such-branch",
          ttlSeconds: 60 + this.int(3600),
        };
      case "lakebase.branches.delete": {
        const id = this.pick(["no-such-branch", "production"]);
        return { branchId: id, confirmName: this.chance(0.5) ? id : "wrong" };
      }
      case "lakebase.endpoints.list":
        return this.chance(0.5) ? { branchId: "no-such-branch" } : {};
      case "lakebase.endpoints.create":
        return { branchId: "no-such-branch", endpointId: "reader", maxCu: 1 };
      case "lakebase.endpoints.update":
        return { branchId: "no-such-branch", endpointId: "reader", minCu: 0.5, maxCu: 1 + this.int(4) };
      case "lakebase.endpoints.delete":
        return {
          endpointId: this.pick(["primary", "reader"]),
          confirmName: this.pick(["primary", "reader", "x"]),
        };
      case "lakebase.data.attach":
        return { branchId: "no-such-branch" };
      default:
        return undefined;
    }
  }

  private junk(depth = 0): unknown {
    const r = this.int(depth > 3 ? 5 : 9);
    switch (r) {
      case 0:
        return this.pick(NUMBERS);
      case 1:
        return this.pick(STRINGS);
      case 2:
        return this.chance(0.5);
      case 3:
        return null;
      case 4:
        return this.pick(STRINGS).repeat(1 + this.int(20));
      case 5:
        return Array.from({ length: this.int(6) }, () => this.junk(depth + 1));
      case 6: {
        const o: Record<string, unknown> = {};
        for (let i = this.int(6); i > 0; i--) o[this.pick(KEYS)] = this.junk(depth + 1);
        return o;
      }
      case 7:
        return "x".repeat(this.pick([256, 1024, 4096, 20_000]));
      default:
        return { [this.pick(KEYS)]: this.junk(depth + 1) };
    }
  }

  /** An input for `procedure`: valid, one field broken, extra keys, or junk. */
  private input(procedure: string): unknown {
    const valid = this.validInput(procedure);
    const r = this.int(10);
    if (r < 2) return valid;
    if (r < 6 && valid) {
      const broken = { ...valid };
      const key = this.chance(0.8) ? this.pick([...Object.keys(valid), ...KEYS]) : this.pick(KEYS);
      broken[key] = this.junk();
      return broken;
    }
    if (r < 7) return { ...valid, ...(this.junk() as object) };
    return this.junk();
  }

  private json(value: unknown): string {
    const text = JSON.stringify(value);
    return text === undefined ? "null" : text;
  }

  private malformedJson(): string {
    return this.pick([
      "{",
      "{bad",
      '{"orderKey":',
      '{"orderKey":1,}',
      "[1,2",
      "'single'",
      "undefined",
      "NaN",
      '{"a":"\\ud800"}',
      '{"a":"\u0000"}',
      `${"[".repeat(5000)}${"]".repeat(5000)}`,
      `${'{"a":'.repeat(2000)}1${"}".repeat(2000)}`,
      '{"__proto__":{"admin":true}}',
      "\uFEFF{}",
      "   ",
      "1e999999",
      `"${"\\u0041".repeat(3000)}"`,
    ]);
  }

  private procedure(): string {
    return this.pick(PROCEDURES);
  }

  private badPath(): string {
    return this.pick([
      "orders.count%ZZ",
      "orders.count%",
      "orders.count%E0%A4%A",
      "%C0%AE%C0%AE/%C0%AE%C0%AE",
      "orders..count",
      "orders.count/../../lakebase.stop",
      "..%2F..%2Fetc%2Fpasswd",
      "orders.💥",
      "orders",
      "",
      ",",
      ",,,,",
      "orders.count,",
      "nothing.here",
      "__proto__.constructor",
      "orders.list.list",
      "a".repeat(2000),
      "orders.count%00",
      "ORDERS.COUNT",
      encodeURIComponent("orders.count,orders.list"),
    ]);
  }

  /** A REST call: a route with junk in its path, query and body, sometimes with the wrong method. */
  private rest(): HostileRequest {
    const route = this.pick(REST_ROUTES);
    const junk = this.junk();
    // JSON for anything but a string: String() throws on an object without a prototype ({"__proto__": null}).
    const key = this.chance(0.5)
      ? String(1 + this.int(3000))
      : uriEncode(typeof junk === "string" ? junk : this.json(junk));
    const query = Array.from({ length: this.int(5) }, () => {
      const value = this.junk();
      return `${this.pick(REST_FIELDS)}=${uriEncode(typeof value === "string" ? value : this.json(value))}`;
    });
    if (route.path.includes("delete") && this.chance(0.5)) {
      query.push(`confirm_name=${encodeURIComponent(this.options.instanceName ?? "x")}`);
    }
    if (route.path.includes("create") && this.chance(0.5)) query.push("acknowledge_cost=true");
    const method = this.chance(0.9) ? route.method : this.pick(["GET", "POST", "PUT", "DELETE", "PATCH"]);
    const id = () =>
      this.chance(0.7) ? this.pick(["production", "no-such-branch", "reader", "primary"]) : key;
    const filled = route.path.replace("{key}", key).replace("{branch}", id()).replace("{endpoint}", id());
    const path = `/api/v1${filled}${query.length ? `?${query.join("&")}` : ""}`;
    const body =
      method !== "GET" && this.chance(0.7)
        ? this.chance(0.8)
          ? this.json(this.chance(0.5) ? { o_orderstatus: this.pick(["F", "O", "X"]) } : this.junk())
          : this.malformedJson()
        : undefined;
    return {
      kind: "rest",
      method,
      path,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      ...(body !== undefined && { body }),
      procedures: [],
      ...(route.admin && method === route.method && { restAdmin: true }),
    };
  }

  /** The CSV export with junk in its parameters (its answer is read to the end: a file or a refusal). */
  private export(): HostileRequest {
    const params = ["status", "priority", "dateFrom", "dateTo", "sort", "columns", "format"];
    const good: Record<string, () => string> = {
      status: () => this.pick(["F", "O", "P"]),
      priority: () => this.pick(["1-URGENT", "5-LOW"]),
      dateFrom: () => "1995-01-01",
      dateTo: () => "1995-03-01",
      sort: () => this.pick(["orderKey", "-totalPrice", "orderDate"]),
      columns: () => this.pick(["orderKey", "orderKey,comment", "comment,status,totalPrice"]),
      format: () => this.pick(["api", "labels"]),
    };
    const query = params
      .filter(() => this.chance(0.5))
      .map((name) => {
        const value = this.chance(0.5) ? good[name]!() : this.junk();
        return `${name}=${uriEncode(typeof value === "string" ? value : this.json(value))}`;
      });
    // Narrow enough that a whole file is small: a status or an early end date.
    if (!query.some((q) => q.startsWith("status=") || q.startsWith("dateTo=")))
      query.push("dateTo=1992-02-01");
    return {
      kind: "export",
      method: this.chance(0.9) ? "GET" : this.pick(["POST", "HEAD", "DELETE"]),
      path: `/api/export/orders.csv?${query.join("&")}`,
      headers: {},
      procedures: [],
    };
  }

  /** Headers an attacker chooses: forged identities, request ids, origins, forwarded hosts, odd lengths. */
  private hostileHeaders(): HostileRequest {
    const value = () =>
      this.pick([
        "",
        " ",
        "Bob Smith",
        "admin@example.com, eve@example.com",
        "<script>@x",
        "a".repeat(this.pick([64, 257, 3000])),
        `${"a".repeat(65)}@example.com`,
        "ééé@example.com",
        "null",
        "https://attacker.example",
        "http://localhost:1",
        "same-origin",
        "../../etc",
        `x${"-a".repeat(1500)}`,
      ]);
    const names = [
      "x-forwarded-user",
      "x-forwarded-host",
      "x-request-id",
      "origin",
      "sec-fetch-site",
      "referer",
      "x-real-ip",
    ];
    const headers: Record<string, string> = {};
    for (const name of names) if (this.chance(0.4)) headers[name] = value();
    const p = this.pick([...QUERIES, ...MUTATIONS]);
    const mutation = (MUTATIONS as readonly string[]).includes(p);
    const input = this.json(this.validInput(p) ?? {});
    return mutation
      ? {
          kind: "headers",
          method: "POST",
          path: `/api/trpc/${p}`,
          headers: { ...headers, "content-type": "application/json" },
          body: input,
          procedures: [p],
        }
      : {
          kind: "headers",
          method: "GET",
          path: `/api/trpc/${p}?input=${encodeURIComponent(input)}`,
          headers,
          procedures: [p],
        };
  }

  next(): HostileRequest {
    const kind = this.int(23);
    if (kind === 20) return this.rest();
    if (kind === 21) return this.export();
    if (kind === 22) return this.hostileHeaders();
    const trpc = "/api/trpc/";
    const json = { "content-type": "application/json" };
    // Single query over GET.
    if (kind < 5) {
      const p = this.pick([...QUERIES, ...SUBSCRIPTIONS]);
      const input = this.input(p);
      const q = input === undefined ? "" : `?input=${encodeURIComponent(this.json(input))}`;
      const stream = p === "lakebase.progress";
      return { kind: "query", method: "GET", path: `${trpc}${p}${q}`, headers: {}, procedures: [p], stream };
    }
    // Single mutation over POST with JSON.
    if (kind < 9) {
      const p = this.pick(MUTATIONS);
      const input = this.input(p);
      return {
        kind: "mutation",
        method: "POST",
        path: `${trpc}${p}`,
        headers: json,
        ...(input !== undefined || this.chance(0.5) ? { body: this.json(input ?? {}) } : {}),
        procedures: [p],
      };
    }
    // Batches: of queries over GET, of mutations over POST, sometimes mixed or too large.
    if (kind < 12) {
      const size = this.int((this.options.maxBatch ?? 25) + 1);
      const post = this.chance(0.4);
      const names = Array.from({ length: size }, () =>
        this.chance(0.85) ? this.pick(post ? MUTATIONS : QUERIES) : this.procedure(),
      );
      const inputs = Object.fromEntries(names.map((n, i) => [i, this.input(n)]));
      const body = this.json(inputs);
      return post
        ? {
            kind: "batch-post",
            method: "POST",
            path: `${trpc}${names.join(",")}?batch=1`,
            headers: json,
            body,
            procedures: names,
          }
        : {
            kind: "batch-get",
            method: "GET",
            path: `${trpc}${names.join(",")}?batch=1&input=${encodeURIComponent(body)}`,
            headers: {},
            procedures: names,
          };
    }
    // Malformed JSON, in the query or in the body.
    if (kind < 14) {
      const p = this.procedure();
      const text = this.malformedJson();
      return this.chance(0.5)
        ? {
            kind: "bad-json-query",
            method: "GET",
            path: `${trpc}${p}?input=${encodeURIComponent(text)}`,
            headers: {},
            procedures: [p],
          }
        : {
            kind: "bad-json-body",
            method: "POST",
            path: `${trpc}${p}`,
            headers: json,
            body: text,
            procedures: [p],
          };
    }
    // Malformed URLs: bad escapes, junk paths, raw (unencoded) input.
    if (kind < 16) {
      const r = this.int(4);
      if (r === 0)
        return {
          kind: "bad-path",
          method: "GET",
          path: `${trpc}${this.badPath()}`,
          headers: {},
          procedures: [],
        };
      if (r === 1) {
        const p = this.pick(QUERIES);
        return {
          kind: "bad-query-escape",
          method: "GET",
          path: `${trpc}${p}?input=${this.pick(["%ZZ", "%", "%7B%22orderKey%22%3A%ZZ", "%E0%A4%A"])}`,
          headers: {},
          procedures: [p],
        };
      }
      if (r === 2) {
        const p = this.pick(QUERIES);
        return {
          kind: "duplicate-params",
          method: "GET",
          path: `${trpc}${p}?input=${encodeURIComponent("{}")}&input=${encodeURIComponent(this.json(this.junk()))}&batch=${this.pick(["1", "0", "true", "%ZZ"])}`,
          headers: {},
          procedures: [p],
        };
      }
      return {
        kind: "bad-path-post",
        method: "POST",
        path: `${trpc}${this.badPath()}`,
        headers: json,
        body: "{}",
        procedures: [],
      };
    }
    // Wrong methods.
    if (kind < 17) {
      const p = this.procedure();
      const method = this.pick(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]);
      const input = this.json(this.input(p) ?? {});
      return method === "GET" || method === "HEAD"
        ? {
            kind: "wrong-method",
            method,
            path: `${trpc}${p}?input=${encodeURIComponent(input)}`,
            headers: {},
            procedures: [p],
          }
        : { kind: "wrong-method", method, path: `${trpc}${p}`, headers: json, body: input, procedures: [p] };
    }
    // Wrong content types (forms included).
    if (kind < 19) {
      const p = this.pick(MUTATIONS);
      const type = this.pick([
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        "text/plain",
        "text/plain;charset=UTF-8",
        "application/octet-stream",
        "application/jsonx",
        "application/json; charset=utf-16",
        "APPLICATION/JSON",
        "",
      ]);
      const input = this.json(this.input(p) ?? {});
      const body = type.startsWith("multipart")
        ? `--x\r\nContent-Disposition: form-data; name="orderKey"\r\n\r\n1\r\n--x--\r\n`
        : type.includes("urlencoded")
          ? "orderKey=1&status=F&confirmName=x&acknowledgeCost=true"
          : input;
      return {
        kind: "content-type",
        method: "POST",
        path: `${trpc}${p}`,
        headers: type ? { "content-type": type } : {},
        body,
        procedures: [p],
      };
    }
    // Huge bodies and huge query strings.
    const p = this.pick(MUTATIONS);
    return this.chance(0.5)
      ? {
          kind: "huge-body",
          method: "POST",
          path: `${trpc}${p}`,
          headers: json,
          body: this.json({
            orderKey: 1,
            status: "F",
            pad: "x".repeat(this.pick([40_000, 200_000, 1_100_000])),
          }),
          procedures: [p],
        }
      : {
          kind: "huge-query",
          method: "GET",
          path: `${trpc}orders.count?input=${encodeURIComponent(this.json({ status: "x".repeat(this.pick([4000, 12_000])) }))}`,
          headers: {},
          procedures: ["orders.count"],
        };
  }
}
