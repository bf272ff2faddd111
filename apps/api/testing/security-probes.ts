// The attacker's probes of issues #14 and #26, runnable against any running server (in-process or the deployed
// bundle): each sends what an attacker would and reports the answer, and whether it is the safe one.
import http from "node:http";
import type { LakebaseLocal } from "@lakebase-orders/lakebase-local";
import { hostileRequests } from "./hostile-inputs.ts";
import { runHostile } from "./hostile-runner.ts";
import { uploadThenRead } from "./raw-upload.ts";

/** What the Apps-mode probes run against: a local Lakebase with its seeded names, the app's service principal. */
export interface AppsModeSetup {
  lakebase: Pick<LakebaseLocal, "restUrl" | "pgPort" | "caFile">;
  names: { instanceName: string; catalogName: string; databaseName: string; syncedTable: string };
  servicePrincipal: { clientId: string; clientSecret: string };
  admin: string;
}

/**
 * The app's configuration in Databricks Apps mode on a local Lakebase, as the platform would set it: identity
 * from the proxy, the service principal's OAuth credentials, verified TLS with the local CA. The admin's
 * mutations run as the service principal (on-behalf-of-user has tests of its own).
 */
export function appsModeEnv(s: AppsModeSetup): Record<string, string> {
  return {
    DATABRICKS_APP_NAME: "lakebase-orders",
    LAKEBASE_ADMIN_AUTH: "service-principal",
    DATABRICKS_HOST: s.lakebase.restUrl,
    DATABRICKS_CLIENT_ID: s.servicePrincipal.clientId,
    DATABRICKS_CLIENT_SECRET: s.servicePrincipal.clientSecret,
    LAKEBASE_INSTANCE_NAME: s.names.instanceName,
    LAKEBASE_CATALOG_NAME: s.names.catalogName,
    LAKEBASE_DATABASE_NAME: s.names.databaseName,
    LAKEBASE_SYNCED_TABLE: s.names.syncedTable,
    APP_ADMINS: s.admin,
    PGHOST: "127.0.0.1",
    PGPORT: String(s.lakebase.pgPort),
    PGDATABASE: s.names.databaseName,
    PGUSER: s.servicePrincipal.clientId,
    PGSSLMODE: "require",
    PGSSLROOTCERT: s.lakebase.caFile,
  };
}

export interface ProbeTarget {
  /** The server over loopback, e.g. http://127.0.0.1:8000 */
  url: string;
  /** apps: identities from X-Forwarded-Email; local: the local identity over loopback. */
  mode: "apps" | "local";
  /** An e-mail in APP_ADMINS (apps mode; local mode acts as the local identity). */
  admin: string;
  /** A signed-in user who is not an admin (apps mode). */
  user: string;
  /** The same server over a non-loopback interface (local mode), when it listens there. */
  lanUrl?: string | null;
  /** Bytes of the admin audit row's stored input for a request id (null: no row). */
  auditInputBytes?: (requestId: string) => Promise<number | null>;
  /** Makes the database unreachable for the app, and brings it back (for the readiness probe). */
  breakDatabase?: () => Promise<() => Promise<void>>;
  /** Whether the Lakebase admin is configured (the status then shows an instance). */
  lakebaseConfigured: boolean;
  /** Hostile inputs in the fuzz probe (default 10,000). */
  fuzzCount?: number;
  /** Only these probes (default: all). */
  only?: readonly string[];
  /** Local mode: the same app built for production (NODE_ENV=production), over loopback. */
  productionUrl?: string | null;
  /** Local mode: the same app trusting forwarded headers (TRUST_FORWARDED_HEADERS=true), over loopback. */
  trustingUrl?: string | null;
  /** Export COPYs running on the app's database now. */
  exportBackends?: () => Promise<number>;
  /** Makes the app's exports wait in the database (as a long sort does, before their first byte); returns the release. */
  holdExports?: () => Promise<() => Promise<void>>;
  /** Writes an order's comment in the synced table, as its source could hold it. */
  setComment?: (orderKey: number, comment: string) => Promise<void>;
}

export interface ProbeResult {
  id: string;
  title: string;
  /** The HTTP status (or a short outcome such as "refused" when the connection was). */
  answer: string;
  detail: string;
  /** The answer is the safe one. */
  safe: boolean;
}

type Who = "admin" | "user" | "anonymous" | "lan-anonymous" | "lan-spoofed-admin";

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

const EVIL = "https://evil.example";

export async function runProbes(t: ProbeTarget): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  const probe = async (id: string, title: string, fn: () => Promise<Omit<ProbeResult, "id" | "title">>) => {
    if (t.only && !t.only.includes(id)) return;
    try {
      results.push({ id, title, ...(await fn()) });
    } catch (error) {
      results.push({ id, title, answer: "error", detail: String(error), safe: false });
    }
  };

  const base = (who: Who) => (who.startsWith("lan") ? (t.lanUrl ?? t.url) : t.url);
  const identity = (who: Who): Record<string, string> => {
    if (who === "lan-spoofed-admin") return { "X-Forwarded-Email": t.admin };
    if (t.mode === "local") return {};
    if (who === "admin") return { "X-Forwarded-Email": t.admin };
    if (who === "user") return { "X-Forwarded-Email": t.user };
    return {};
  };
  const call = async (who: Who, path: string, init: RequestInit = {}): Promise<Answer> => {
    const res = await fetch(`${base(who)}${path}`, {
      ...init,
      headers: { ...identity(who), ...(init.headers as Record<string, string> | undefined) },
    });
    const text = await res.text();
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // Not JSON: kept as text.
    }
    return { status: res.status, headers: res.headers, text, json };
  };
  const input = (value: unknown) => `?input=${encodeURIComponent(JSON.stringify(value))}`;
  const post = (who: Who, procedure: string, body: unknown, headers: Record<string, string> = {}) =>
    call(who, `/api/trpc/${procedure}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify(body),
    });
  const short = (a: Answer) => a.text.replace(/\s+/g, " ").slice(0, 160);
  const viewerOf = (a: Answer) =>
    (a.json as { result?: { data?: { viewer?: { email: string | null; isAdmin: boolean } } } })?.result?.data
      ?.viewer;
  // A legitimate admin start, so that the status has an operation with the admin's e-mail as its actor.
  const restart = async () => {
    if (t.lakebaseConfigured) await post("admin", "lakebase.start", {});
  };

  const anonymous: Who = t.mode === "apps" ? "anonymous" : "lan-anonymous";
  const nonAdmin: Who = t.mode === "apps" ? "user" : "lan-anonymous";
  // Whose reads the read budget counts: over the network outside Apps nothing is read at all (wrong Host).
  const reader: Who = t.mode === "apps" ? "user" : "admin";

  await probe(
    "cross-site-form-stop",
    "cross-site multipart form POST to lakebase.stop as an admin",
    async () => {
      const form = new FormData();
      form.set("x", "1");
      const a = await call("admin", "/api/trpc/lakebase.stop", {
        method: "POST",
        headers: { Origin: EVIL, "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors" },
        body: form,
      });
      if (a.status === 200) await restart();
      return { answer: String(a.status), detail: short(a), safe: a.status === 403 || a.status === 415 };
    },
  );

  await probe(
    "cross-site-text-post",
    "cross-site text/plain POST (no preflight) to orders.updateStatus",
    async () => {
      const a = await call("admin", "/api/trpc/orders.updateStatus", {
        method: "POST",
        headers: { Origin: EVIL, "Sec-Fetch-Site": "cross-site", "content-type": "text/plain" },
        body: JSON.stringify({ orderKey: 1, status: "F" }),
      });
      return { answer: String(a.status), detail: short(a), safe: a.status === 403 || a.status === 415 };
    },
  );

  await probe("cross-site-json-origin-only", "POST JSON with Origin: evil (no Sec-Fetch-Site)", async () => {
    const a = await post("admin", "orders.updateStatus", { orderKey: 1, status: "F" }, { Origin: EVIL });
    return { answer: String(a.status), detail: short(a), safe: a.status === 403 };
  });

  await probe("cross-site-get", "cross-site GET (an <img>) of orders.count", async () => {
    const a = await call("user", `/api/trpc/orders.count${input({ status: "F" })}`, {
      headers: { "Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "no-cors" },
    });
    return { answer: String(a.status), detail: short(a), safe: a.status === 403 };
  });

  await probe("form-no-origin", "multipart form POST to orders.updateStatus without Origin", async () => {
    const form = new FormData();
    form.set("orderKey", "1");
    const a = await call("admin", "/api/trpc/orders.updateStatus", { method: "POST", body: form });
    return { answer: String(a.status), detail: short(a), safe: a.status === 415 };
  });

  await probe("batch-200-counts", "one GET batch of 200 orders.count with different filters", async () => {
    const n = 200;
    const names = Array.from({ length: n }, () => "orders.count").join(",");
    // Short inputs, so that the URL stays under Node's 16 KB header limit.
    const day = (i: number) =>
      `199${2 + (i % 7)}-${String(1 + (i % 12)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}`;
    const inputs = Object.fromEntries(Array.from({ length: n }, (_, i) => [i, { dateTo: day(i) }]));
    const a = await call(
      "user",
      `/api/trpc/${names}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`,
    );
    return { answer: String(a.status), detail: short(a), safe: a.status === 400 };
  });

  await probe("body-1mb", "POST of a 1 MB JSON body to orders.updateStatus", async () => {
    const a = await post("admin", "orders.updateStatus", {
      orderKey: 1,
      status: "F",
      pad: "x".repeat(1_000_000),
    });
    return { answer: String(a.status), detail: short(a), safe: a.status === 413 };
  });

  await probe("year-zero", "orders.count with dateFrom 0000-01-01", async () => {
    const a = await call("user", `/api/trpc/orders.count${input({ dateFrom: "0000-01-01" })}`);
    const named = a.text.includes("dateFrom");
    return { answer: String(a.status), detail: short(a), safe: a.status === 400 && named };
  });

  await probe("bad-escape", "GET /api/trpc/orders.count%ZZ", async () => {
    const a = await call("user", "/api/trpc/orders.count%ZZ");
    return { answer: String(a.status), detail: short(a), safe: a.status === 400 };
  });

  await probe("bad-json-query", "GET orders.count?input={bad", async () => {
    const a = await call("user", `/api/trpc/orders.count?input=${encodeURIComponent("{bad")}`);
    return { answer: String(a.status), detail: short(a), safe: a.status === 400 };
  });

  await probe("bad-json-body", "POST orders.updateStatus with body {bad", async () => {
    const a = await call("admin", "/api/trpc/orders.updateStatus", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{bad",
    });
    return { answer: String(a.status), detail: short(a), safe: a.status === 400 };
  });

  await probe("anonymous-write", "orders.updateStatus with no identity", async () => {
    const a = await post(anonymous, "orders.updateStatus", { orderKey: 1, status: "O" });
    // Over the network outside Apps, the LAN's name for the server is refused before anything (403).
    return {
      answer: String(a.status),
      detail: short(a),
      safe: a.status === 401 || (t.mode === "local" && a.status === 403),
    };
  });

  await probe("request-id", "client-chosen X-Request-Id values: markup, 100 characters, a UUID", async () => {
    const sent = ["a b<script>", "a".repeat(100), "6f1c2a4e-8d2b-4f3e-9a1d-0c5b7e2f9a31"];
    const echoed: (string | null)[] = [];
    for (const id of sent) {
      echoed.push(
        (await call("user", "/api/health", { headers: { "X-Request-Id": id } })).headers.get("x-request-id"),
      );
    }
    const kept = sent.map((id, i) => echoed[i] === id);
    return {
      answer: kept.map((k) => (k ? "kept" : "replaced")).join("/"),
      detail: `echoed ${echoed.map((e) => e?.slice(0, 24)).join(", ")}`,
      safe: !kept[0] && !kept[1] && Boolean(kept[2]),
    };
  });

  if (t.auditInputBytes) {
    const audit = t.auditInputBytes;
    await probe(
      "audit-unbounded",
      "a non-admin's 20 KB input to lakebase.create, as the audit stores it",
      async () => {
        const requestId = `probe-audit-${Date.now()}`;
        const a = await post(
          nonAdmin,
          "lakebase.create",
          { acknowledgeCost: true, junk: "j".repeat(20_000) },
          {
            "X-Request-Id": requestId,
          },
        );
        const bytes = await audit(requestId);
        return {
          answer: String(a.status),
          detail: `audit input ${bytes === null ? "no row" : `${bytes} bytes`}`,
          safe: bytes === null || bytes < 1024,
        };
      },
    );
  }

  await probe("status-leaks", "lakebase.status as a non-admin: admin e-mails, DNS names", async () => {
    await restart();
    const a = await call(nonAdmin, "/api/trpc/lakebase.status");
    const leaks = [
      a.text.includes(t.admin) && "admin e-mail",
      /"readWriteDns":"[^"]+"/.test(a.text) && "instance DNS",
    ].filter(Boolean);
    return {
      answer: String(a.status),
      detail: leaks.length ? `shows ${leaks.join(", ")}` : "no admin e-mail, no DNS",
      safe: (a.status === 200 && leaks.length === 0) || (t.mode === "local" && a.status === 403),
    };
  });

  await probe(
    "progress-leaks",
    "lakebase.progress (SSE) as a non-admin: admin e-mails, DNS names",
    async () => {
      const controller = new AbortController();
      const res = await fetch(`${base(nonAdmin)}/api/trpc/lakebase.progress`, {
        headers: identity(nonAdmin),
        signal: controller.signal,
      });
      // The first snapshot (tRPC may send a connection event before it), or whatever came within 3 s.
      const reader = res.body?.getReader();
      let first = "";
      const deadline = Date.now() + 3000;
      while (reader && !first.includes("fetchedAt") && Date.now() < deadline) {
        const chunk = await Promise.race([
          reader.read(),
          new Promise<null>((r) => setTimeout(() => r(null), 500)),
        ]);
        if (chunk?.done) break;
        if (chunk?.value) first += new TextDecoder().decode(chunk.value);
      }
      controller.abort();
      const leaks = [
        first.includes(t.admin) && "admin e-mail",
        /"readWriteDns":"[^"]+"/.test(first) && "instance DNS",
      ].filter(Boolean);
      return {
        answer: String(res.status),
        detail: leaks.length ? `shows ${leaks.join(", ")}` : "no admin e-mail, no DNS",
        safe: leaks.length === 0,
      };
    },
  );

  if (t.breakDatabase) {
    const breakDatabase = t.breakDatabase;
    await probe("ready-leak", "/api/ready while the database is down, as anyone", async () => {
      const restore = await breakDatabase();
      try {
        const a = await call(anonymous, "/api/ready");
        // A generic reason, in plain lower-case words: no driver text (error codes, hosts, ports, names).
        const reason = (a.json as { reason?: string } | null)?.reason ?? "";
        const generic = /^(database: )?[a-z' ]+$/.test(reason);
        return {
          answer: String(a.status),
          detail: short(a),
          safe: (a.status === 503 && generic) || (t.mode === "local" && a.status === 403),
        };
      } finally {
        await restore();
      }
    });
  }

  if (t.breakDatabase) {
    const breakDatabase = t.breakDatabase;
    await probe(
      "bad-input-db-down",
      "orders.count with dateFrom 0000-01-01 while the database is down",
      async () => {
        const restore = await breakDatabase();
        try {
          const a = await call("user", `/api/trpc/orders.count${input({ dateFrom: "0000-01-01" })}`);
          return {
            answer: String(a.status),
            detail: short(a),
            safe: a.status === 400 && a.text.includes("dateFrom"),
          };
        } finally {
          await restore();
        }
      },
    );
  }

  if (t.mode === "local" && t.lanUrl) {
    await probe("lan-no-headers", "over the network, no headers: lakebase.status viewer", async () => {
      const a = await call("lan-anonymous", "/api/trpc/lakebase.status");
      const v = viewerOf(a);
      return {
        answer: String(a.status),
        detail: a.status === 403 ? short(a) : `viewer ${JSON.stringify(v)}`,
        safe: v?.isAdmin === false || a.status === 403,
      };
    });
    await probe("lan-spoofed-email", "over the network, X-Forwarded-Email of the admin", async () => {
      const a = await call("lan-spoofed-admin", "/api/trpc/lakebase.status");
      const v = viewerOf(a);
      return {
        answer: String(a.status),
        detail: a.status === 403 ? short(a) : `viewer ${JSON.stringify(v)}`,
        safe: (v?.isAdmin === false && v.email === null) || a.status === 403,
      };
    });
    await probe("lan-admin-mutation", "over the network, no headers: lakebase.stop", async () => {
      const a = await post("lan-anonymous", "lakebase.stop", {});
      return { answer: String(a.status), detail: short(a), safe: a.status === 403 || a.status === 401 };
    });
  }
  if (t.mode === "local") {
    await probe(
      "loopback-local-identity",
      "over loopback, no headers: the local identity (dev flow)",
      async () => {
        const a = await call("admin", "/api/trpc/lakebase.status");
        const v = viewerOf(a);
        return { answer: String(a.status), detail: `viewer ${JSON.stringify(v)}`, safe: v?.isAdmin === true };
      },
    );
  }

  // Before the rate-limit probes, which spend the callers' budgets.
  await issue26Probes(t, probe, { call, post, short, identity, viewerOf, base });

  await probe(
    "rate-limit-reads",
    "300 uncached counts (distinct filters, batches of 10) from one user",
    async () => {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let b = 0; b < 30; b++) {
        const inputs = Object.fromEntries(
          Array.from({ length: 10 }, (_, i) => [
            i,
            {
              dateFrom: `1993-01-01`,
              dateTo: `1997-${String(1 + (b % 12)).padStart(2, "0")}-${String(1 + i + (b >= 12 ? 10 : 0)).padStart(2, "0")}`,
              ...(b >= 24 && { status: "F" }),
            },
          ]),
        );
        const a = await call(
          reader,
          `/api/trpc/${Array(10).fill("orders.count").join(",")}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`,
        );
        statuses.push(a.status);
        retryAfter ??= a.headers.get("retry-after");
        if (a.status === 429) break;
      }
      const limited = statuses.includes(429);
      return {
        answer: limited
          ? `429 after ${statuses.length - 1} batches`
          : `no 429 in ${statuses.length} batches (${[...new Set(statuses)].join("/")})`,
        detail: `Retry-After ${retryAfter ?? "none"}`,
        safe: limited && retryAfter !== null,
      };
    },
  );

  await probe("rate-limit-writes", "200 status changes in a row from one identity", async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    const who: Who = t.mode === "apps" ? "user" : "admin";
    for (let i = 0; i < 200; i++) {
      const a = await post(who, "orders.updateStatus", { orderKey: 1 + (i % 50), status: i % 2 ? "F" : "O" });
      statuses.push(a.status);
      retryAfter ??= a.headers.get("retry-after");
      if (a.status === 429) break;
    }
    const limited = statuses.includes(429);
    return {
      answer: limited
        ? `429 after ${statuses.length - 1}`
        : `no 429 in ${statuses.length} (${[...new Set(statuses)].join("/")})`,
      detail: `Retry-After ${retryAfter ?? "none"}`,
      safe: limited && retryAfter !== null,
    };
  });

  await probe("fuzz", `${t.fuzzCount ?? 10_000} seeded hostile inputs as a non-admin`, async () => {
    const requests = hostileRequests(14, t.fuzzCount ?? 10_000);
    const s = await runHostile(t.url, requests, {
      identity: identity(t.mode === "apps" ? "user" : "admin"),
      concurrency: 8,
    });
    const examples = [...s.serverErrors, ...s.dropped]
      .slice(0, 3)
      .map(
        (o) =>
          `${o.status} ${o.request.kind} ${o.request.method} ${o.request.path.slice(0, 60)}${o.error ? ` (${o.error.slice(0, 80)})` : ""}`,
      );
    return {
      answer: `${s.serverErrors.length} answers >= 500, ${s.hangs.length} hangs, ${s.dropped.length} dropped`,
      detail: examples.join(" | ") || JSON.stringify(s.byStatus),
      safe:
        s.serverErrors.length === 0 &&
        s.hangs.length === 0 &&
        s.dropped.length === 0 &&
        s.adminSuccesses.length === 0,
    };
  });

  return results;
}

/** What the probes of one run share: how to call the server as someone, and how to report. */
interface Tools {
  call(who: Who, path: string, init?: RequestInit): Promise<Answer>;
  post(who: Who, procedure: string, body: unknown, headers?: Record<string, string>): Promise<Answer>;
  short(a: Answer): string;
  identity(who: Who): Record<string, string>;
  viewerOf(a: Answer): { email: string | null; isAdmin: boolean } | undefined;
  base(who: Who): string;
}
type Probe = (
  id: string,
  title: string,
  fn: () => Promise<Omit<ProbeResult, "id" | "title">>,
) => Promise<void>;

/**
 * A request with headers fetch will not send (Host): what a browser sends after DNS rebinding, or what a
 * tunnel (ngrok, `ssh -R`) forwards to the port.
 */
function rawCall(
  url: string,
  path: string,
  options: { method?: string; headers: Record<string, string>; body?: string },
): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path, method: options.method ?? "GET", headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let json: unknown = null;
          try {
            json = JSON.parse(text);
          } catch {
            // Not JSON: kept as text.
          }
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === "string") headers.set(k, v);
          resolve({ status: res.statusCode ?? 0, headers, text, json });
        });
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** The probes of issue #26: admin by accident, exports and bodies that take the server down, data sideways. */
async function issue26Probes(t: ProbeTarget, probe: Probe, tools: Tools): Promise<void> {
  const { call, short, identity, viewerOf } = tools;
  const port = new URL(t.url).port;
  const stopBody = JSON.stringify({});

  // 1. Admin only on purpose.
  if (t.mode === "local") {
    await probe(
      "rebinding-read",
      "lakebase.status from 127.0.0.1 with Host: attacker.example (DNS rebinding)",
      async () => {
        const a = await rawCall(t.url, "/api/trpc/lakebase.status", {
          headers: { Host: `attacker.example:${port}` },
        });
        const v = viewerOf(a);
        return {
          answer: String(a.status),
          detail: v ? `viewer ${JSON.stringify(v)}` : short(a),
          safe: a.status === 403 || v?.isAdmin === false,
        };
      },
    );
    await probe("rebinding-stop", "lakebase.stop with Host and Origin of the rebound page", async () => {
      const origin = `http://attacker.example:${port}`;
      const a = await rawCall(t.url, "/api/trpc/lakebase.stop", {
        method: "POST",
        headers: { Host: `attacker.example:${port}`, Origin: origin, "Content-Type": "application/json" },
        body: stopBody,
      });
      return { answer: String(a.status), detail: short(a), safe: a.status === 403 || a.status === 401 };
    });
    await probe(
      "tunnel-stop",
      "lakebase.stop through a tunnel: Host and Origin https://abc.ngrok.example",
      async () => {
        const a = await rawCall(t.url, "/api/trpc/lakebase.stop", {
          method: "POST",
          headers: {
            Host: "abc.ngrok.example",
            Origin: "https://abc.ngrok.example",
            "Sec-Fetch-Site": "same-origin",
            "Content-Type": "application/json",
          },
          body: stopBody,
        });
        return { answer: String(a.status), detail: short(a), safe: a.status === 403 || a.status === 401 };
      },
    );
    await probe(
      "tunnel-rewritten-host",
      "lakebase.stop through a tunnel that rewrites Host to localhost",
      async () => {
        const a = await rawCall(t.url, "/api/trpc/lakebase.stop", {
          method: "POST",
          headers: {
            Host: `localhost:${port}`,
            Origin: "https://abc.ngrok.example",
            "Sec-Fetch-Site": "same-origin",
            "Content-Type": "application/json",
          },
          body: stopBody,
        });
        return { answer: String(a.status), detail: short(a), safe: a.status === 403 || a.status === 401 };
      },
    );
  }
  if (t.productionUrl) {
    const url = t.productionUrl;
    await probe(
      "production-loopback",
      "the built app (NODE_ENV=production), over loopback, no headers: viewer",
      async () => {
        const a = await rawCall(url, "/api/trpc/lakebase.status", { headers: { Host: new URL(url).host } });
        const v = viewerOf(a);
        return {
          answer: String(a.status),
          detail: `viewer ${JSON.stringify(v)}`,
          safe: v?.isAdmin === false,
        };
      },
    );
  }
  if (t.trustingUrl) {
    const url = t.trustingUrl;
    const start = (email: string | undefined) =>
      rawCall(url, "/api/trpc/lakebase.start", {
        method: "POST",
        headers: {
          Host: new URL(url).host,
          "Content-Type": "application/json",
          ...(email !== undefined && { "X-Forwarded-Email": email }),
        },
        body: stopBody,
      });
    for (const [id, email] of [
      ["forged-no-email", undefined],
      ["forged-empty-email", ""],
      ["forged-malformed-email", "Bob Smith"],
    ] as const) {
      await probe(
        id,
        `TRUST_FORWARDED_HEADERS, from loopback: lakebase.start with X-Forwarded-Email ${JSON.stringify(email ?? null)}`,
        async () => {
          const a = await start(email);
          return { answer: String(a.status), detail: short(a), safe: a.status === 403 || a.status === 401 };
        },
      );
    }
  }

  // 2. Exports that cannot take the database down.
  const exporter: Who = t.mode === "apps" ? "user" : "admin";
  const exportPath = "/api/export/orders.csv";
  await probe(
    "export-parallel",
    "six exports at once from one caller, while the database works on them",
    async () => {
      // Held in the database (as a long sort holds them), the exports admitted stay running: how many are there?
      const release = await (t.holdExports?.() ?? Promise.resolve(async () => undefined));
      const controllers = Array.from({ length: 6 }, () => new AbortController());
      const settled: Response[] = [];
      const answers = controllers.map((controller) =>
        fetch(`${tools.base(exporter)}${exportPath}?sort=-totalPrice`, {
          headers: identity(exporter),
          signal: controller.signal,
        }).then(
          (a) => {
            settled.push(a);
            return a;
          },
          () => null,
        ),
      );
      await new Promise((r) => setTimeout(r, t.holdExports ? 1500 : 0));
      const refused = settled.filter((a) => a.status === 429 && a.headers.get("retry-after"));
      // Held, the admitted export is still running, or has answered 503 once its lock wait ran out (the read
      // budget, issue 25): admitted either way. Only the others must be refused, with Retry-After.
      const running = t.holdExports
        ? 6 - settled.filter((a) => a.status === 429).length
        : settled.filter((a) => a.status === 200).length;
      const statuses = settled.map((a) => a.status).sort();
      await release();
      for (const a of await Promise.all(answers)) await a?.body?.cancel().catch(() => undefined);
      for (const c of controllers) c.abort();
      return {
        answer: `${running} running; ${statuses.join("/")}`,
        detail: `${refused.length} refused with Retry-After`,
        safe: running <= 1 && refused.length === 6 - running,
      };
    },
  );
  if (t.exportBackends && t.holdExports) {
    const backends = t.exportBackends;
    const hold = t.holdExports;
    await probe(
      "export-abandoned",
      "an export whose client leaves while the database works on it",
      async () => {
        const release = await hold();
        try {
          const controller = new AbortController();
          const response = fetch(`${tools.base(exporter)}${exportPath}?sort=-totalPrice`, {
            headers: identity(exporter),
            signal: controller.signal,
          }).catch(() => undefined);
          // Seen while it waits in the database: before its lock wait runs out (1 s, the read budget of
          // issue 25), which would end it without its client's help.
          let during = 0;
          const seeUntil = Date.now() + 900;
          while (Date.now() < seeUntil) {
            during = await backends();
            if (during >= 1) break;
            await new Promise((r) => setTimeout(r, 25));
          }
          controller.abort();
          await response;
          await new Promise((r) => setTimeout(r, 1000));
          const after = await backends();
          return {
            answer: `${during} -> ${after}`,
            detail: `export backends while it waited, then 1 s after its client left`,
            safe: during >= 1 && after === 0,
          };
        } finally {
          await release();
        }
      },
    );
  }
  if (t.mode === "apps") {
    await probe("export-anonymous", "two anonymous exports at once (their own, smaller budget)", async () => {
      const answers = await Promise.all(
        Array.from({ length: 2 }, () => fetch(`${t.url}${exportPath}?sort=-totalPrice`)),
      );
      const statuses = answers.map((a) => a.status);
      for (const a of answers) await a.body?.cancel().catch(() => undefined);
      return {
        answer: statuses.sort().join("/"),
        detail: "one export between all anonymous callers",
        safe: statuses.filter((s) => s === 200).length <= 1 && statuses.includes(429),
      };
    });
  }

  // 4. Bodies and paths.
  const bodyTarget = t.url;
  for (const expect of [true, false]) {
    await probe(
      expect ? "body-20mb-expect" : "body-20mb-upload",
      `twenty 20 MB bodies at once, ${expect ? "with Expect: 100-continue" : "sent whole before reading"}`,
      async () => {
        const outcomes = await Promise.all(
          Array.from({ length: 20 }, () =>
            uploadThenRead(bodyTarget, "/api/trpc/orders.updateStatus", 20 * 1024 * 1024, expect),
          ),
        );
        const heard = outcomes.filter((o) => o.status === 413);
        const invited = outcomes.filter((o) => o.sent > 0).length;
        return {
          answer: `${heard.length} of 20 got 413`,
          detail: `${invited} sent their body; ${[...new Set(outcomes.map((o) => `${o.status ?? "none"} ${o.how}`))].join(", ")}`,
          safe: heard.length === 20 && (!expect || invited === 0),
        };
      },
    );
  }
  await probe(
    "path-12kb",
    "a 12 KB path that made log scrubbing backtrack, against a plain one",
    async () => {
      const timed = async (path: string) => {
        const started = performance.now();
        await call(exporter, path);
        return performance.now() - started;
      };
      // 12 KB: a 16 KB request line would be over Node's header limit (431) before the app sees it.
      const hostile = `/api/${"a-".repeat(6 * 1024)}`;
      const plain = `/api/${"a".repeat(12 * 1024)}`;
      const h: number[] = [];
      const p: number[] = [];
      for (let i = 0; i < 5; i++) {
        h.push(await timed(hostile));
        p.push(await timed(plain));
      }
      const [mh, mp] = [median(h), median(p)];
      return {
        answer: `${mh.toFixed(1)} ms`,
        detail: `median of 5 against ${mp.toFixed(1)} ms for a plain 12 KB path`,
        safe: mh < 3 * mp + 10,
      };
    },
  );

  // 5. No data sideways.
  const other: { who: Who; url: string; headers: Record<string, string> } | null =
    t.mode === "apps"
      ? { who: "user", url: t.url, headers: identity("user") }
      : t.trustingUrl
        ? { who: "user", url: t.trustingUrl, headers: { "X-Forwarded-Email": t.user } }
        : null;
  const writerHeaders = t.mode === "apps" ? identity("admin") : { "X-Forwarded-Email": t.admin };
  if (other) {
    const url = other.url;
    const trpc = async (path: string, headers: Record<string, string>, init: RequestInit = {}) => {
      const res = await fetch(`${url}/api/trpc/${path}`, {
        ...init,
        headers: { ...headers, ...(init.headers as object) },
      });
      return { status: res.status, text: await res.text() };
    };
    await probe("history-emails", "orders.history as another analyst: who changed the status", async () => {
      const stream = JSON.parse(
        (
          await trpc(
            `orders.stream?input=${encodeURIComponent(JSON.stringify({ pageSize: 1 }))}`,
            writerHeaders,
          )
        ).text,
      ) as { result?: { data?: { orders?: { orderKey: number; status: string }[] } } };
      const order = stream.result?.data?.orders?.[0];
      if (!order) return { answer: "no order", detail: "", safe: false };
      await trpc(
        "orders.updateStatus",
        { ...writerHeaders, "Content-Type": "application/json" },
        {
          method: "POST",
          body: JSON.stringify({ orderKey: order.orderKey, status: order.status === "F" ? "O" : "F" }),
        },
      );
      const seen = await trpc(
        `orders.history?input=${encodeURIComponent(JSON.stringify({ orderKey: order.orderKey }))}`,
        other.headers,
      );
      const leaks = seen.text.includes(t.admin);
      return {
        answer: String(seen.status),
        detail: leaks
          ? "shows the writer's e-mail"
          : `no e-mail: ${seen.text.match(/"changedBy":"[^"]*"/)?.[0] ?? ""}`,
        safe: seen.status === 200 && !leaks,
      };
    });
    await probe("view-owner-email", "a shared view opened by another analyst: who shared it", async () => {
      const saved = await trpc(
        "views.save",
        { ...writerHeaders, "Content-Type": "application/json" },
        {
          method: "POST",
          body: JSON.stringify({ name: `probe ${Date.now()}`, search: { status: "F" } }),
        },
      );
      const id = (JSON.parse(saved.text) as { result?: { data?: { id?: string } } }).result?.data?.id;
      if (!id) return { answer: String(saved.status), detail: saved.text.slice(0, 120), safe: false };
      const seen = await trpc(`views.get?input=${encodeURIComponent(JSON.stringify({ id }))}`, other.headers);
      const leaks = seen.text.includes(t.admin);
      return {
        answer: String(seen.status),
        detail: leaks
          ? "shows the owner's e-mail"
          : `no e-mail: ${seen.text.match(/"owner":"[^"]*"/)?.[0] ?? ""}`,
        safe: seen.status === 200 && !leaks,
      };
    });
  }
  const streamer: Who = t.mode === "apps" ? "user" : "admin";
  await probe("sse-streams", "twelve progress streams held open by one caller", async () => {
    const controllers: AbortController[] = [];
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    try {
      for (let i = 0; i < 12; i++) {
        const controller = new AbortController();
        controllers.push(controller);
        const res = await fetch(
          `${tools.base(streamer)}/api/trpc/lakebase.progress?input=${encodeURIComponent(JSON.stringify({ follow: true }))}`,
          { headers: identity(streamer), signal: controller.signal },
        );
        statuses.push(res.status);
        if (res.status === 429) retryAfter ??= res.headers.get("retry-after");
        if (res.status !== 200) await res.body?.cancel();
      }
    } finally {
      for (const c of controllers) c.abort();
    }
    const open = statuses.filter((s) => s === 200).length;
    return {
      answer: `${open} open, ${statuses.length - open} refused`,
      detail: `Retry-After ${retryAfter ?? "none"}`,
      safe: statuses.includes(429) && retryAfter !== null,
    };
  });

  // 6. Formula injection behind white space and full-width characters.
  if (t.setComment) {
    const setComment = t.setComment;
    await probe(
      "csv-formula-hidden",
      "exported comments ' =1+1' and '＝1+1' (OWASP: white space, full width)",
      async () => {
        const first = await call(
          exporter,
          `/api/trpc/orders.stream?input=${encodeURIComponent(JSON.stringify({ pageSize: 2 }))}`,
        );
        const orders = (
          first.json as { result?: { data?: { orders?: { orderKey: number; orderDate: string }[] } } }
        )?.result?.data?.orders;
        if (!orders || orders.length < 2) return { answer: "no orders", detail: short(first), safe: false };
        const hostile = [" =1+1", "＝1+1"];
        for (const [i, o] of orders.entries()) await setComment(o.orderKey, hostile[i]!);
        const cells: string[] = [];
        for (const o of orders) {
          const res = await fetch(
            `${tools.base(exporter)}/api/export/orders.csv?columns=orderKey,comment&format=api&dateFrom=${o.orderDate}&dateTo=${o.orderDate}`,
            { headers: identity(exporter) },
          );
          const line = (await res.text()).split("\n").find((l) => l.startsWith(`${o.orderKey},`));
          cells.push(line?.slice(String(o.orderKey).length + 1) ?? `(${res.status})`);
        }
        return {
          answer: cells.map((c) => JSON.stringify(c)).join(" "),
          detail: "a leading ' makes a spreadsheet show the text",
          safe: cells.every((c) => c.startsWith("'") || c.startsWith(`"'`)),
        };
      },
    );
  }

  // Last: it spends the exporter's read budget.
  await probe(
    "export-rate-limit",
    "300 small exports in a row from one caller (the read budget)",
    async () => {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 300; i++) {
        const a = await fetch(`${tools.base(exporter)}${exportPath}?columns=orderKey&dateTo=1992-01-10`, {
          headers: identity(exporter),
        });
        const text = await a.text();
        statuses.push(a.status);
        if (a.status === 429 && /Too many/.test(text)) {
          retryAfter = a.headers.get("retry-after");
          break;
        }
      }
      const limited = retryAfter !== null;
      return {
        answer: limited ? `429 after ${statuses.length - 1}` : `no 429 in ${statuses.length}`,
        detail: `Retry-After ${retryAfter ?? "none"}; ${[...new Set(statuses)].join("/")}`,
        safe: limited,
      };
    },
  );
}

/** A table for the closing note: one line per probe. */
export function formatProbes(results: readonly ProbeResult[]): string {
  return results
    .map((r) => `${r.safe ? "safe  " : "UNSAFE"} ${r.id.padEnd(26)} ${r.answer.padEnd(24)} ${r.detail}`)
    .join("\n");
}
