import {
  clientFor,
  type Harness,
  instanceForwarder,
  lakebaseEnv,
  namesFor,
  startHarness,
  until,
} from "@lakebase-orders/api/testing";
import { LOCAL_ADMIN, loadConfig } from "@lakebase-orders/config";
import { createDb, type Db } from "@lakebase-orders/db";
import { createLogger } from "@lakebase-orders/log";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../http/app.ts";
import { type AppServices, buildServices } from "../../start/services.ts";

// The app's database is the instance's database, as on Databricks: a delete takes the audit table with it,
// and a create brings up an empty one. The audit must come through anyway.
let h: Harness;
let forwarder: Awaited<ReturnType<typeof instanceForwarder>>;
let instanceDb: Db;
let services: AppServices;
const names = namesFor("audit");
const logs: string[] = [];

beforeAll(async () => {
  h = await startHarness("api_audit_across_delete");
  forwarder = await instanceForwarder(h.local, names.instanceName);
  const user = encodeURIComponent(h.local.identity);
  instanceDb = createDb({
    connectionString: `postgresql://${user}:${h.local.workspaceToken}@127.0.0.1:${forwarder.port}/${names.databaseName}?sslmode=no-verify`,
    max: 4,
  });
  const config = loadConfig(lakebaseEnv(h, names));
  // As the server builds them (the default onProvisioned: migrate, then write the kept audit rows).
  services = buildServices(config, instanceDb, {
    logger: createLogger({ write: (l) => logs.push(l) }),
    workspaceClient: h.sdk,
    lakebase: { pollIntervalMs: 15, statusCacheMs: 10 },
    audit: { retryMs: 50, maxRetryMs: 200 },
  });
}, 120_000);

afterAll(async () => {
  await services?.close();
  await instanceDb?.disconnect();
  await forwarder?.close();
  await h?.close();
});

const rows = () => instanceDb.prisma.adminAudit.findMany({ orderBy: { id: "asc" } });

describe("admin audit across delete -> create, through the router", () => {
  it("keeps every row its database could not take and writes them, in order and with their own time", async () => {
    const admin = clientFor(createApp(services));
    // A first create: its database does not exist yet when the request is audited.
    await admin.lakebase.create.mutate({ acknowledgeCost: true });
    await services.lakebase.idle();
    expect((await rows()).map((r) => [r.action, r.outcome])).toEqual([
      ["lakebase.create", "accepted"],
      ["lakebase.create.finished", "succeeded"],
    ]);

    const deleted = await admin.lakebase.delete.mutate({ confirmName: names.instanceName });
    expect(deleted.steps.map((s) => s.outcome)).toEqual(["deleted", "deleted", "deleted"]);
    expect(services.audit.pending()).toBe(1);

    const again = await admin.lakebase.create.mutate({ acknowledgeCost: true });
    expect(again.resources.map((r) => r.outcome)).toEqual(["created", "created", "created"]);
    await services.lakebase.idle();
    const written = await until(rows, (r) => r.length === 3);
    expect(written.map((r) => [r.actor, r.action, r.outcome])).toEqual([
      [LOCAL_ADMIN, "lakebase.delete", "succeeded"],
      [LOCAL_ADMIN, "lakebase.create", "accepted"],
      [LOCAL_ADMIN, "lakebase.create.finished", "succeeded"],
    ]);
    // Each with the time of its action, not of the late write.
    const times = written.map((r) => r.at.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(written[0]?.detail).toMatchObject({ steps: expect.any(Array) });
    expect(services.audit.pending()).toBe(0);

    // And every attempt was a JSON log line at once, including the ones written late.
    const auditLines = logs.filter((l) => l.includes('"msg":"admin_audit"')).map((l) => JSON.parse(l));
    expect(auditLines.map((l) => [l.action, l.outcome])).toEqual([
      ["lakebase.create", "accepted"],
      ["lakebase.create.finished", "succeeded"],
      ["lakebase.delete", "succeeded"],
      ["lakebase.create", "accepted"],
      ["lakebase.create.finished", "succeeded"],
    ]);
    expect(logs.some((l) => l.includes("kept for retry"))).toBe(true);
  }, 60_000);
});
