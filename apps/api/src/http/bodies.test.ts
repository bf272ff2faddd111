import { startTestServer, type TestServer, uploadThenRead } from "@lakebase-orders/api/testing";
import { loadConfig } from "@lakebase-orders/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Bodies over MAX_BODY_BYTES, as real clients send them over real sockets: twenty 20 MB uploads at once,
// each from a client that reads the answer only once it has sent everything (curl without Expect, most
// scripts) or that asks first (Expect: 100-continue, curl's default for large bodies).
const SIZE = 20 * 1024 * 1024;
const PATH = "/api/trpc/orders.updateStatus";
let server: TestServer;

beforeAll(async () => {
  // No database needed: bodies are refused before any route.
  server = await startTestServer(loadConfig({ LAKEBASE_PG_URL: "postgresql://u:p@127.0.0.1:1/none" }), {
    logLevel: "error",
  });
});

afterAll(async () => {
  await server?.close();
});

describe("a body over the limit", () => {
  it("with Expect: 100-continue, is refused with 413 before a byte of it is sent (no 100 Continue)", async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => uploadThenRead(server.url, PATH, SIZE, true)),
    );
    expect(outcomes.map((o) => `${o.status} ${o.how} ${o.sent}`)).toEqual(
      Array(20).fill("413 before-body 0"),
    );
  });

  it("without Expect, is refused with 413 that the client reads once it has sent its body (no reset mid-upload)", async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => uploadThenRead(server.url, PATH, SIZE, false)),
    );
    expect(outcomes.map((o) => `${o.status} ${o.how}`)).toEqual(Array(20).fill("413 after-body"));
  });

  it("within the limit, with Expect, is invited and read as before", async () => {
    const outcome = await uploadThenRead(server.url, PATH, 1000, true);
    // Invited (100 Continue), sent, then refused for what it is (not JSON, no database): never a 413.
    expect(outcome.how).toBe("after-body");
    expect(outcome.status).not.toBe(413);
    expect(outcome.status).toBeLessThan(500);
  });
});
