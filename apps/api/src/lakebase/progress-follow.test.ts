import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { type Harness, namesFor, type Setup, setUp, startHarness, until } from "@lakebase-orders/api/testing";
import { LOCAL_ADMIN } from "@lakebase-orders/config";
import { patchInstance } from "@lakebase-orders/lakebase-local/testing";
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink, type TRPCClient } from "@trpc/client";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppRouter } from "../routers/app-router.ts";
import type { LakebaseStatus } from "./admin/types.ts";

// Changes made outside this process (here: straight through the Databricks API, as the bundle or the
// Databricks UI would) must reach whoever watches, even while nothing runs here.
const SETTLED_POLL_MS = 300;
let h: Harness;
let s: Setup;
let server: ReturnType<typeof serve>;
let client: TRPCClient<AppRouter>;
const names = namesFor("follow");

beforeAll(async () => {
  h = await startHarness("api_progress_follow");
  s = setUp(h, names, { settledPollIntervalMs: SETTLED_POLL_MS });
  server = await new Promise((resolve) => {
    const srv = serve({ fetch: s.app.fetch, port: 0, hostname: "127.0.0.1" }, () => resolve(srv));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/trpc`;
  client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url, EventSource }),
        // The harness trusts forwarded headers, where a caller without one is anonymous: name the admin (who
        // creates the instance). The stream needs no name: what it is checked for is shown to everyone.
        false: httpLink({ url, headers: { "X-Forwarded-Email": LOCAL_ADMIN } }),
      }),
    ],
  });
  await client.lakebase.create.mutate({ acknowledgeCost: true });
  await s.service.idle();
}, 120_000);

afterAll(async () => {
  await s?.service.close();
  if (server) {
    if ("closeAllConnections" in server) server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await h?.close();
});

describe("progress sees the world", () => {
  it("a follower of a settled state gets a change made elsewhere within one settled interval", async () => {
    const events: LakebaseStatus[] = [];
    const sub = client.lakebase.progress.subscribe(
      { follow: true },
      { onData: (e) => events.push((e as { data: LakebaseStatus }).data) },
    );
    try {
      await until(
        async () => events,
        (e) => e.length > 0,
      );
      expect(events[0]?.instance?.state).toBe("AVAILABLE");
      // Settled, and still open: nothing runs here, yet the poller keeps looking (slowly).
      await new Promise((r) => setTimeout(r, SETTLED_POLL_MS * 2));

      const changedAt = Date.now();
      const stopped = await patchInstance(h.sdk, names.instanceName, "stopped", { stopped: true });
      expect(stopped.status).toBe(200);
      await until(
        async () => events,
        (e) => e.some((x) => x.instance?.state === "STOPPED"),
        10_000,
      );
      // One settled interval, plus the round of calls and the stream's hop.
      expect(Date.now() - changedAt).toBeLessThan(SETTLED_POLL_MS * 2 + 2000);
      expect(events.every((e) => e.operation?.outcome !== "running")).toBe(true);
    } finally {
      sub.unsubscribe();
    }
  }, 30_000);

  it("a new subscriber gets the state as it is now, not the snapshot the poller saw last", async () => {
    // The last snapshot this process saw says STOPPED; the instance is started elsewhere.
    await patchInstance(h.sdk, names.instanceName, "stopped", { stopped: false });
    await until(
      () => h.sdk.database.getDatabaseInstance({ name: names.instanceName }),
      (i) => i.state === "AVAILABLE",
    );
    const first = await new Promise<LakebaseStatus>((resolve, reject) => {
      const sub = client.lakebase.progress.subscribe(undefined, {
        onData: (e) => {
          sub.unsubscribe();
          resolve((e as { data: LakebaseStatus }).data);
        },
        onError: reject,
      });
    });
    expect(first.instance?.state).toBe("AVAILABLE");
  }, 30_000);
});
