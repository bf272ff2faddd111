import { createOrdersFixture, type OrdersFixture } from "@lakebase-orders/api/testing";
import { createTRPCClient, httpLink, type TRPCClient, TRPCClientError } from "@trpc/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../routers/app-router.ts";
import { MAX_VIEWS_PER_OWNER } from "./schemas.ts";

let f: OrdersFixture;

// Inside Databricks Apps (DATABRICKS_APP_NAME set) the identity comes only from the proxy's headers, so a
// request without them is anonymous.
beforeAll(async () => {
  f = await createOrdersFixture("api_views", 100, {
    DATABRICKS_APP_NAME: "orders",
    APP_ADMINS: "root@example.com",
  });
}, 120_000);

afterAll(async () => {
  await f?.close();
});

function clientAs(email: string | null): TRPCClient<AppRouter> {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: "http://api.test/api/trpc",
        fetch: async (input, init) => {
          const headers = new Headers(init?.headers as ConstructorParameters<typeof Headers>[0]);
          if (email) headers.set("X-Forwarded-Email", email);
          const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
          return f.app.request(url, { ...(init as RequestInit), headers });
        },
      }),
    ],
  });
}

const alice = () => clientAs("alice@example.com");
const bob = () => clientAs("bob@example.com");

async function codeOf(call: Promise<unknown>): Promise<string | undefined> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCClientError) return (error.data as { code?: string } | undefined)?.code;
    throw error;
  }
  return undefined;
}

describe("views", () => {
  it("saves, lists newest first, and replaces a view saved again under its name (same id, same link)", async () => {
    expect((await alice().views.list.query()).views).toEqual([]);
    const urgent = await alice().views.save.mutate({
      name: "  Urgent, biggest first ",
      search: { priority: "1-URGENT", sort: "-totalPrice", cols: ["orderKey", "totalPrice", "status"] },
    });
    expect(urgent).toMatchObject({
      name: "Urgent, biggest first",
      owner: "alice@example.com",
      mine: true,
      search: { priority: "1-URGENT", sort: "-totalPrice", cols: ["orderKey", "totalPrice", "status"] },
    });
    expect(urgent.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const q1 = await alice().views.save.mutate({
      name: "Q1 1995",
      search: { dateFrom: "1995-01-01", dateTo: "1995-03-31", density: "compact", mode: "scroll" },
    });
    expect((await alice().views.list.query()).views.map((v) => v.name)).toEqual([
      "Q1 1995",
      "Urgent, biggest first",
    ]);

    const replaced = await alice().views.save.mutate({
      name: "Urgent, biggest first",
      search: { priority: "1-URGENT", status: "O" },
    });
    expect(replaced.id).toBe(urgent.id);
    expect(replaced.search).toEqual({ priority: "1-URGENT", status: "O" });
    expect(Date.parse(replaced.updatedAt)).toBeGreaterThanOrEqual(Date.parse(urgent.updatedAt));
    const list = await alice().views.list.query();
    expect(list.max).toBe(MAX_VIEWS_PER_OWNER);
    expect(list.views.map((v) => v.id)).toEqual([urgent.id, q1.id]);
  });

  it("keeps views per user, opens a view by its link for anyone, and lets only the owner delete it", async () => {
    const [view] = (await alice().views.list.query()).views;
    expect((await bob().views.list.query()).views).toEqual([]);
    // The same name is free for another user.
    await bob().views.save.mutate({ name: view!.name, search: {} });

    // A link shows who shared it only to admins and to the owner: others, anonymous ones included, read
    // "another user", never an e-mail address.
    const shared = await bob().views.get.query({ id: view!.id });
    expect(shared).toMatchObject({
      id: view!.id,
      owner: "another user",
      mine: false,
      search: view!.search,
    });
    expect(await clientAs(null).views.get.query({ id: view!.id })).toMatchObject({
      mine: false,
      owner: "another user",
    });
    expect((await clientAs("root@example.com").views.get.query({ id: view!.id })).owner).toBe(
      "alice@example.com",
    );
    expect(await alice().views.get.query({ id: view!.id })).toMatchObject({
      mine: true,
      owner: "alice@example.com",
    });

    expect(await codeOf(bob().views.delete.mutate({ id: view!.id }))).toBe("NOT_FOUND");
    expect((await alice().views.get.query({ id: view!.id })).id).toBe(view!.id);
    expect(await alice().views.delete.mutate({ id: view!.id })).toEqual({ id: view!.id, deleted: true });
    expect(await codeOf(bob().views.get.query({ id: view!.id }))).toBe("NOT_FOUND");
    expect(await codeOf(alice().views.delete.mutate({ id: view!.id }))).toBe("NOT_FOUND");
  });

  it("refuses anonymous saves and lists nothing for them", async () => {
    const anonymous = clientAs(null);
    expect(await anonymous.views.list.query()).toEqual({ views: [], max: 0 });
    expect(await codeOf(anonymous.views.save.mutate({ name: "mine", search: {} }))).toBe("UNAUTHORIZED");
    expect(await codeOf(anonymous.views.delete.mutate({ id: "a".repeat(22) }))).toBe("UNAUTHORIZED");
  });

  it("refuses out-of-bounds input with BAD_REQUEST before touching the database", async () => {
    const bad: unknown[] = [
      { name: "", search: {} },
      { name: "   ", search: {} },
      { name: "x".repeat(81), search: {} },
      { name: "bell\u0007", search: {} },
      { name: "v", search: { status: "X" } },
      { name: "v", search: { unknown: 1 } },
      { name: "v", search: { cols: [] } },
      { name: "v", search: { cols: ["orderKey", "orderKey"] } },
      { name: "v", search: { cols: ["password"] } },
      { name: "v", search: { dateFrom: "1995-02-01", dateTo: "1995-01-01" } },
      { name: "v", search: { dateFrom: "1995-02-30" } },
      { name: "v", search: { pageSize: 5000 } },
      { name: "v", search: { density: "huge" } },
      { name: "v", search: "status=F" },
    ];
    for (const input of bad) {
      expect(await codeOf(alice().views.save.mutate(input as never)), JSON.stringify(input)).toBe(
        "BAD_REQUEST",
      );
    }
    for (const id of ["", "short", "x".repeat(65), "../../etc/passwd", "a b c d e f g h i j"]) {
      expect(await codeOf(alice().views.get.query({ id })), id).toBe("BAD_REQUEST");
    }
  });

  it(`keeps at most ${MAX_VIEWS_PER_OWNER} views per user (CONFLICT beyond), replacing one still works`, async () => {
    const carol = clientAs("carol@example.com");
    await Promise.all(
      Array.from({ length: MAX_VIEWS_PER_OWNER }, (_, i) =>
        carol.views.save.mutate({ name: `view ${i}`, search: { pageSize: i + 1 } }),
      ),
    );
    expect((await carol.views.list.query()).views).toHaveLength(MAX_VIEWS_PER_OWNER);
    expect(await codeOf(carol.views.save.mutate({ name: "one more", search: {} }))).toBe("CONFLICT");
    expect((await carol.views.save.mutate({ name: "view 7", search: { status: "F" } })).search).toEqual({
      status: "F",
    });
    const { rows } = await f.db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM app_data.saved_views WHERE owner = 'carol@example.com'",
    );
    expect(rows[0]?.n).toBe(MAX_VIEWS_PER_OWNER);
  });

  it("opens a stored view the screen no longer understands as the default view", async () => {
    await f.db.pool.query(
      `INSERT INTO app_data.saved_views (id, owner, name, search) VALUES ($1, 'alice@example.com', 'old', $2)`,
      ["legacy-view-id-0001", JSON.stringify({ cols: ["retiredColumn"], status: "F" })],
    );
    expect((await alice().views.get.query({ id: "legacy-view-id-0001" })).search).toEqual({});
  });
});
