import { loadConfig } from "@lakebase-orders/config";
import { describe, expect, it } from "vitest";
import { identityFrom, isAdmin } from "./identity.ts";

const localIdentity = (env: Record<string, string>) => loadConfig(env).identity.localIdentity;

describe("identity", () => {
  it("comes from the Databricks Apps proxy headers when present", () => {
    const headers = new Headers({ "X-Forwarded-Email": " ada@example.com ", "X-Forwarded-User": "123" });
    expect(identityFrom(headers, null)).toEqual({
      actor: "ada@example.com",
      email: "ada@example.com",
      source: "databricks-apps",
    });
    expect(identityFrom(new Headers({ "X-Forwarded-User": "123" }), "me@example.com")).toMatchObject({
      actor: "123",
      email: null,
    });
  });

  it("falls back to the local identity outside Apps, and to anonymous inside Apps", () => {
    expect(identityFrom(new Headers(), "local-admin@example.com")).toMatchObject({ source: "local" });
    expect(identityFrom(new Headers(), null)).toEqual({
      actor: "anonymous",
      email: null,
      source: "anonymous",
    });
  });

  it("has no local identity inside Databricks Apps unless LOCAL_IDENTITY is set", () => {
    expect(localIdentity({})).toBe("local-admin@example.com");
    expect(localIdentity({ DATABRICKS_APP_NAME: "lakebase-orders" })).toBeNull();
    expect(localIdentity({ DATABRICKS_APP_NAME: "x", LOCAL_IDENTITY: "qa@example.com" })).toBe(
      "qa@example.com",
    );
  });

  it("is an admin only when its e-mail is in APP_ADMINS, case and spaces aside", () => {
    const admins = { admins: ["ada@example.com"] };
    expect(isAdmin(identityFrom(new Headers({ "X-Forwarded-Email": "Ada@Example.com" }), null), admins)).toBe(
      true,
    );
    expect(isAdmin(identityFrom(new Headers({ "X-Forwarded-User": "ada@example.com" }), null), admins)).toBe(
      false,
    );
    expect(isAdmin(identityFrom(new Headers(), "ada@example.com"), admins)).toBe(true);
    expect(isAdmin(identityFrom(new Headers(), null), admins)).toBe(false);
  });
});
