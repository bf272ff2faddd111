import { type Env, LOCAL_ADMIN, loadConfig } from "@lakebase-orders/config";
import { describe, expect, it } from "vitest";
import { canChangeStatus, identityFrom, isAdmin, isLoopback } from "./identity.ts";

const config = (env: Env) => {
  const c = loadConfig(env);
  return { ...c.identity, allowedHosts: c.server.allowedHosts };
};
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
  it("is the local identity only for loopback (and in-process) requests to a loopback host", () => {
    for (const address of ["127.0.0.1", "::1", "::ffff:127.0.0.1"]) {
      for (const host of [
        "127.0.0.1:8000",
        "localhost:5173",
        "localhost",
        "[::1]:8000",
        "app.localhost:8000",
      ]) {
        expect(identityFrom(proxy({ Host: host }, address), LOCAL)).toMatchObject({
          actor: LOCAL_ADMIN,
          source: "local",
        });
      }
    }
    expect(identityFrom(proxy({}, null), LOCAL).source).toBe("local");
    for (const address of ["192.0.2.2", "10.0.0.1", "::ffff:192.0.2.2", "fd00::2", undefined]) {
      expect(identityFrom(proxy({ Host: "127.0.0.1:8000" }, address), LOCAL).source).toBe("anonymous");
    }
  });

  it("is nobody for a page whose name was rebound to 127.0.0.1, or for a tunnel's visitors", () => {
    const local = (headers: Record<string, string>) =>
      identityFrom(proxy(headers, "127.0.0.1"), LOCAL).source;
    // DNS rebinding: the browser names the attacker's site in Host (and in Origin, on a write).
    expect(local({ Host: "attacker.example" })).toBe("anonymous");
    expect(local({ Host: "attacker.example:8000", Origin: "http://attacker.example:8000" })).toBe(
      "anonymous",
    );
    // ngrok, `ssh -R`: the tunnel's public name, or the Host rewritten to localhost but the page's own Origin.
    expect(local({ Host: "abc.ngrok.example", Origin: "https://abc.ngrok.example" })).toBe("anonymous");
    expect(local({ Host: "localhost:8000", Origin: "https://abc.ngrok.example" })).toBe("anonymous");
    expect(local({ Host: "localhost:8000", Origin: "null" })).toBe("anonymous");
    expect(local({ Host: "127.0.0.1.attacker.example" })).toBe("anonymous");
    expect(local({ Host: "localhost.attacker.example" })).toBe("anonymous");
    // The developer's own pages: the API's port, the Vite dev server's (its proxy keeps Host and Origin).
    expect(local({ Host: "localhost:8000", Origin: "http://localhost:8000" })).toBe("local");
    expect(local({ Host: "localhost:5173", Origin: "http://localhost:5173" })).toBe("local");
    expect(local({ Host: "localhost", Origin: "http://localhost" })).toBe("local");
    expect(local({ Host: "localhost:5173", Origin: "http://localhost:5174" })).toBe("anonymous");
    // A name the developer listed.
    const listed = config({ ALLOWED_HOSTS: "devbox.lan" });
    expect(identityFrom(proxy({ Host: "devbox.lan:8000" }, "127.0.0.1"), listed).source).toBe("local");
    expect(identityFrom(proxy({ Host: "devbox.lan:8000" }, "127.0.0.1"), LOCAL).source).toBe("anonymous");
  });

  it("is nobody in production (NODE_ENV=production): the local identity is for local development only", () => {
    const production = config({ NODE_ENV: "production" });
    expect(identityFrom(proxy({ Host: "127.0.0.1:8000" }, "127.0.0.1"), production).source).toBe("anonymous");
    expect(identityFrom(proxy({}, null), production).source).toBe("anonymous");
  });

  it("ignores forwarded headers unless TRUST_FORWARDED_HEADERS is set", () => {
    const spoofed = { "X-Forwarded-Email": "ada@example.com" };
    expect(identityFrom(proxy(spoofed, "192.0.2.2"), LOCAL).source).toBe("anonymous");
    expect(identityFrom(proxy({ ...spoofed, Host: "localhost:8000" }, "127.0.0.1"), LOCAL)).toMatchObject({
      actor: LOCAL_ADMIN,
    });
    expect(identityFrom(proxy(spoofed, "192.0.2.2"), LOCAL_TRUSTING)).toMatchObject({
      actor: "ada@example.com",
    });
    expect(LOCAL.trustForwardedHeaders).toBe(false);
    expect(APPS.trustForwardedHeaders).toBe(true);
  });

  it("trusting a proxy's headers, is anonymous without a valid one: missing, empty or malformed is never the local admin", () => {
    // A same-host proxy connects from loopback: loopback proves nothing once its headers are trusted.
    const cases: Record<string, string>[] = [
      {},
      { "X-Forwarded-Email": "" },
      { "X-Forwarded-Email": "Bob Smith" },
      { "X-Forwarded-Email": "  " },
      { "X-Forwarded-User": "" },
      { "X-Forwarded-Email": "Bob Smith", "X-Forwarded-User": "a b" },
    ];
    for (const headers of cases) {
      for (const address of ["127.0.0.1", null]) {
        const identity = identityFrom(proxy({ ...headers, Host: "localhost:8000" }, address), LOCAL_TRUSTING);
        expect(identity.source, JSON.stringify(headers)).toBe("anonymous");
        expect(isAdmin(identity, LOCAL_TRUSTING)).toBe(false);
      }
    }
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
