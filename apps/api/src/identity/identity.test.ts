import { type Env, LOCAL_ADMIN, loadConfig } from "@lakebase-orders/config";
import { describe, expect, it } from "vitest";
import { canChangeStatus, identityFrom, isAdmin, isLoopback } from "./identity.ts";

const config = (env: Env) => loadConfig(env).identity;
const APPS = config({ DATABRICKS_APP_NAME: "lakebase-orders", APP_ADMINS: "ada@example.com" });
const LOCAL = config({});
const LOCAL_TRUSTING = config({ TRUST_FORWARDED_HEADERS: "true" });
const proxy = (headers: Record<string, string>, remoteAddress: string | null = "10.0.0.7") => ({
  headers: new Headers(headers),
  remoteAddress,
});

describe("identity inside Databricks Apps", () => {
  it("comes only from the proxy's headers, the e-mail first", () => {
    expect(
      identityFrom(proxy({ "X-Forwarded-Email": " ada@example.com ", "X-Forwarded-User": "123" }), APPS),
    ).toEqual({ actor: "ada@example.com", email: "ada@example.com", source: "databricks-apps" });
    expect(identityFrom(proxy({ "X-Forwarded-User": "123" }), APPS)).toMatchObject({
      actor: "123",
      email: null,
    });
  });

  it("is anonymous without them, even from loopback: there is no local identity in Apps", () => {
    expect(identityFrom(proxy({}, "127.0.0.1"), APPS)).toEqual({
      actor: "anonymous",
      email: null,
      source: "anonymous",
    });
    expect(APPS.localIdentity).toBeNull();
    expect(() => config({ DATABRICKS_APP_NAME: "x", LOCAL_IDENTITY: "qa@example.com" })).toThrow(
      /LOCAL_IDENTITY/,
    );
  });

  it("ignores header values that are not an e-mail or a user id (too long, spaces, control characters)", () => {
    for (const email of [
      "a b@example.com",
      `${"a".repeat(65)}@example.com`,
      "<x>@example.com",
      "no-at-sign",
    ]) {
      expect(identityFrom(proxy({ "X-Forwarded-Email": email }), APPS).source).toBe("anonymous");
    }
    expect(identityFrom(proxy({ "X-Forwarded-User": "x".repeat(257) }), APPS).source).toBe("anonymous");
  });
});

describe("identity outside Databricks Apps", () => {
  it("is the local identity only for loopback (and in-process) requests", () => {
    for (const address of ["127.0.0.1", "::1", "::ffff:127.0.0.1", null]) {
      expect(identityFrom(proxy({}, address), LOCAL)).toMatchObject({
        actor: LOCAL_ADMIN,
        source: "local",
      });
    }
    for (const address of ["192.0.2.2", "10.0.0.1", "::ffff:192.0.2.2", "fd00::2", undefined]) {
      expect(identityFrom(proxy({}, address), LOCAL).source).toBe("anonymous");
    }
  });

  it("ignores forwarded headers unless TRUST_FORWARDED_HEADERS is set", () => {
    const spoofed = { "X-Forwarded-Email": "ada@example.com" };
    expect(identityFrom(proxy(spoofed, "192.0.2.2"), LOCAL).source).toBe("anonymous");
    expect(identityFrom(proxy(spoofed, "127.0.0.1"), LOCAL)).toMatchObject({
      actor: LOCAL_ADMIN,
    });
    expect(identityFrom(proxy(spoofed, "192.0.2.2"), LOCAL_TRUSTING)).toMatchObject({
      actor: "ada@example.com",
    });
    expect(identityFrom(proxy({}, "127.0.0.1"), LOCAL_TRUSTING).source).toBe("local");
    expect(LOCAL.trustForwardedHeaders).toBe(false);
    expect(APPS.trustForwardedHeaders).toBe(true);
  });

  it("knows loopback addresses", () => {
    expect(["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"].every(isLoopback)).toBe(true);
    expect(["192.0.2.2", "::", "0.0.0.0", "fe80::1", "::ffff:10.0.0.1", "", undefined].some(isLoopback)).toBe(
      false,
    );
  });
});

describe("what an identity may do", () => {
  it("is an admin only when its e-mail is in APP_ADMINS, case and spaces aside", () => {
    const admins = { admins: ["ada@example.com"] };
    expect(isAdmin(identityFrom(proxy({ "X-Forwarded-Email": "Ada@Example.com" }), APPS), admins)).toBe(true);
    expect(isAdmin(identityFrom(proxy({ "X-Forwarded-User": "ada@example.com" }), APPS), admins)).toBe(false);
    expect(
      isAdmin(identityFrom(proxy({}, null), config({ LOCAL_IDENTITY: "ada@example.com" })), admins),
    ).toBe(true);
    expect(isAdmin(identityFrom(proxy({}), APPS), admins)).toBe(false);
  });

  it("changes statuses when signed in, and when ORDER_STATUS_WRITERS is set only if listed", () => {
    const everyone = config({ DATABRICKS_APP_NAME: "x" });
    const listed = config({ DATABRICKS_APP_NAME: "x", ORDER_STATUS_WRITERS: "Bob@Example.com" });
    const bob = identityFrom(proxy({ "X-Forwarded-Email": "bob@example.com" }), everyone);
    const eve = identityFrom(proxy({ "X-Forwarded-Email": "eve@example.com" }), everyone);
    const anonymous = identityFrom(proxy({}), everyone);
    expect([bob, eve, anonymous].map((i) => canChangeStatus(i, everyone))).toEqual([
      "yes",
      "yes",
      "anonymous",
    ]);
    expect([bob, eve, anonymous].map((i) => canChangeStatus(i, listed))).toEqual([
      "yes",
      "not-listed",
      "anonymous",
    ]);
    expect(() => config({ ORDER_STATUS_WRITERS: "not an email" })).toThrow(/ORDER_STATUS_WRITERS/);
  });
});
