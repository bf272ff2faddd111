// DatabaseApi over the real Databricks SDK against the local Lakebase (its `database` REST API), and the
// classifier on the errors they really produce.
import net from "node:net";
import { WorkspaceClient } from "@databricks/sdk-experimental";
import { type LakebaseLocal, startLakebaseLocal } from "@lakebase-orders/lakebase-local";
import { FAST, sdkFor, until } from "@lakebase-orders/lakebase-local/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeadlineError } from "../deadline.ts";
import { isAlreadyExists, isApiError, isNotFound, isRefused, isUnavailable } from "../errors.ts";
import { DatabaseApi } from "./database-api.ts";

let local: LakebaseLocal;
let api: DatabaseApi;
const INSTANCE = `api-test-${process.pid}`;

beforeAll(async () => {
  const adminUrl = process.env.PG_LOCAL_ADMIN_URL;
  local = await startLakebaseLocal({ ...(adminUrl ? { postgres: { adminUrl } } : {}), timings: FAST });
  api = new DatabaseApi(sdkFor(local), { timeoutMs: 10_000 });
}, 120_000);

afterAll(async () => {
  await local?.stop();
});

const failure = (call: Promise<unknown>) =>
  call.then(
    () => expect.unreachable("the call succeeded"),
    (error: unknown) => error,
  );

describe("DatabaseApi", () => {
  it("answers null for what does not exist, and the resource once it does", async () => {
    expect(await api.getInstance(INSTANCE)).toBeNull();
    expect(await api.getCatalog(`${INSTANCE}_catalog`)).toBeNull();
    expect(await api.getSyncedTable(`${INSTANCE}_catalog.public.orders`)).toBeNull();

    const created = await api.createInstance({ name: INSTANCE, capacity: "CU_1", node_count: 1 });
    expect(created.name).toBe(INSTANCE);
    const available = await until(
      () => api.getInstance(INSTANCE),
      (i) => i?.state === "AVAILABLE",
    );
    expect(available?.name).toBe(INSTANCE);
  });

  it("a second create of the same name is 'already exists'", async () => {
    const error = await failure(api.createInstance({ name: INSTANCE, capacity: "CU_1", node_count: 1 }));
    expect(isApiError(error)).toBe(true);
    expect(isAlreadyExists(error)).toBe(true);
    expect(isNotFound(error)).toBe(false);
  });

  it("stops and starts the instance with its PATCH (the body the SDK's own method drops)", async () => {
    await api.setStopped(INSTANCE, true);
    await until(
      () => api.getInstance(INSTANCE),
      (i) => i?.state === "STOPPED",
    );
    await api.setStopped(INSTANCE, false);
    await until(
      () => api.getInstance(INSTANCE),
      (i) => i?.state === "AVAILABLE",
    );
  });

  it("replaces the custom tags in the same PATCH as a stop, or on their own", async () => {
    const stopped = await api.setStopped(INSTANCE, true, [{ key: "op", value: "stop-1" }]);
    expect(stopped.custom_tags).toEqual([{ key: "op", value: "stop-1" }]);
    expect((await api.getInstance(INSTANCE))?.stopped).toBe(true);
    await api.setStopped(INSTANCE, false, [{ key: "op", value: "start-2" }]);
    const tagged = await api.setTags(INSTANCE, [
      { key: "op", value: "start-2" },
      { key: "team", value: "orders" },
    ]);
    expect(tagged.custom_tags).toEqual([
      { key: "op", value: "start-2" },
      { key: "team", value: "orders" },
    ]);
    await until(
      () => api.getInstance(INSTANCE),
      (i) => i?.state === "AVAILABLE" && i.stopped === false,
    );
  });

  it("deletes, and a delete of what is gone is 'not found'", async () => {
    await api.deleteInstance(INSTANCE);
    await until(
      () => api.getInstance(INSTANCE),
      (i) => i === null,
    );
    expect(isNotFound(await failure(api.deleteInstance(INSTANCE)))).toBe(true);
    expect(isNotFound(await failure(api.deleteSyncedTable(`${INSTANCE}_catalog.public.orders`)))).toBe(true);
  });

  it("a refused identity is 'refused', never 'not found' or 'unavailable'", async () => {
    const stranger = new DatabaseApi(sdkFor(local, "dapi-not-a-token"), { timeoutMs: 10_000 });
    const error = await failure(stranger.getInstance(INSTANCE));
    expect(isRefused(error)).toBe(true);
    expect(isNotFound(error)).toBe(false);
    expect(isUnavailable(error)).toBe(false);
  });

  it("gives up at its deadline on a workspace that never answers: unavailable, not hung", async () => {
    // Accepts connections and never answers a byte.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const port = (silent.address() as net.AddressInfo).port;
      const workspace = new WorkspaceClient({
        host: `http://127.0.0.1:${port}`,
        token: "x",
        authType: "pat",
      });
      const slow = new DatabaseApi(workspace, { timeoutMs: 1000 });
      const started = Date.now();
      const error = await failure(slow.getInstance(INSTANCE));
      expect(error).toBeInstanceOf(DeadlineError);
      expect((error as Error).message).toMatch(/did not answer GET instance .* within 1 s/);
      expect(isUnavailable(error)).toBe(true);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
