import { type Harness, namesFor, setUp, startHarness, until } from "@lakebase-orders/api/testing";
import { createDb, type Db, migratePool } from "@lakebase-orders/db";
import { patchPermissions } from "@lakebase-orders/lakebase-local/testing";
import { createLogger } from "@lakebase-orders/log";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrdersStore } from "../store.ts";
import { syncedTable } from "../tables.ts";
import { indexName, ORDER_INDEXES, readIndexState } from "./indexes.ts";
import { createWithPipelineIndexes, pipelineIndexes } from "./pipeline-indexes.ts";

// The admin's create asks the synced table's pipeline for the sorts' indexes (extra_index_definitions): the
// pipeline builds them as the table's owner after the load, so an app that only reads the table, as its
// service principal does in production, finds them and uses them without building anything.

let h: Harness;
const READER = "app-reader@example.com";

beforeAll(async () => {
  h = await startHarness("api_pipeline_indexes");
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe("indexes asked of the pipeline", () => {
  it("are built by the pipeline of an admin's create, and a reader of the table sorts with them", async () => {
    const names = namesFor("pidx");
    const s = setUp(h, names);
    await s.client().lakebase.create.mutate({ acknowledgeCost: true });
    await until(
      () => s.client().lakebase.status.query(),
      (status) => status.operation?.outcome === "succeeded",
    );
    const spec = (await h.sdk.database.getSyncedDatabaseTable({ name: names.syncedTable })).spec as {
      extra_index_definitions?: unknown;
    };
    expect(spec.extra_index_definitions).toEqual(pipelineIndexes(names.syncedTable));

    // The app as production runs it: a login that did not create the table (not its manager).
    const token = h.local.addUser(READER);
    await patchPermissions(h.sdk, names.instanceName, [{ user_name: READER, permission_level: "CAN_USE" }]);
    const port = h.local.portOf(names.instanceName);
    const db: Db = createDb({
      connectionString: `postgresql://${encodeURIComponent(READER)}:${token}@127.0.0.1:${port}/${names.databaseName}`,
      max: 4,
    });
    const table = syncedTable({
      fullName: names.syncedTable,
      catalog: names.catalogName,
      schema: "public",
      table: "orders_synced",
    });
    try {
      await migratePool(db.pool);
      const state = await readIndexState(db.pool, table);
      expect(state).toMatchObject({ mayIndex: false, missing: [] });
      expect(state?.present.map((i) => indexName(table, i.suffix))).toEqual(
        ORDER_INDEXES.map((i) => indexName(table, i.suffix)),
      );
      const logs: string[] = [];
      const store = createOrdersStore({
        db,
        table,
        logger: createLogger({ write: (l) => logs.push(l) }),
        countCacheTtlSeconds: 10,
        rollupCheckSeconds: 1,
      });
      try {
        await store.ready();
        expect(store.sortKeys()).toMatchObject({ source: "table", current: true });
        const page = await store.list({ page: 1, pageSize: 5, sort: "-totalPrice", includeCount: false });
        const { rows } = await db.pool.query<{ k: number }>(
          "SELECT o_orderkey::int AS k FROM public.orders_synced ORDER BY o_totalprice DESC, o_orderkey DESC LIMIT 5",
        );
        expect(page.orders.map((o) => o.orderKey)).toEqual(rows.map((r) => r.k));
        // Nothing built, nothing refused, no projection.
        expect(
          logs.filter((l) => /orders_index_(created|unavailable)|orders_projection_built/.test(l)),
        ).toEqual([]);
      } finally {
        store.close();
      }
    } finally {
      await db.disconnect();
    }
  }, 120_000);

  it("creates without them where the service refuses the field", async () => {
    const sent: unknown[] = [];
    const created = await createWithPipelineIndexes("c.public.orders_synced", async (extra) => {
      sent.push(extra);
      if (extra.extra_index_definitions) {
        throw Object.assign(new Error("Unknown field extra_index_definitions"), {
          statusCode: 400,
          errorCode: "INVALID_PARAMETER_VALUE",
        });
      }
      return "created";
    });
    expect(created).toBe("created");
    expect(sent).toEqual([{ extra_index_definitions: pipelineIndexes("c.public.orders_synced") }, {}]);
    // Anything else is the create's answer, as it was.
    await expect(
      createWithPipelineIndexes("c.public.orders_synced", async () => {
        throw Object.assign(new Error("exists"), { statusCode: 409, errorCode: "ALREADY_EXISTS" });
      }),
    ).rejects.toThrow("exists");
  });
});
