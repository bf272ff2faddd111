// The Autoscaling REST routes (`/api/v1/resources/branches...`) against the local Lakebase's `postgres`
// API: each calls the tRPC procedure it mirrors, so the checks are the procedures' (admin, flavour, input,
// audit); here, what REST adds: snake_case names in and out, ids in the path, 400/403/412 as `{detail}`.
import { type Harness, namesFor, type Setup, setUp, startHarness } from "@lakebase-orders/api/testing";
import { LOCAL_ADMIN } from "@lakebase-orders/config";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let h: Harness;
let s: Setup;
const names = { ...namesFor("restas"), autoscaling: true };
const PROJECT = `projects/${names.instanceName}`;

beforeAll(async () => {
  h = await startHarness("api_rest_autoscaling");
  s = setUp(h, names);
  await s.client().lakebase.create.mutate({ acknowledgeCost: true });
  await s.service.idle();
}, 120_000);

afterAll(async () => {
  await s?.service.close();
  await h?.close();
});

async function call(method: string, path: string, email?: string) {
  const res = await s.app.request(`http://api.test/api/v1${path}`, {
    method,
    headers: { "X-Forwarded-Email": email ?? LOCAL_ADMIN },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe("the Autoscaling REST routes", () => {
  it("list, create and delete a branch, with snake_case in and out", async () => {
    const listed = await call("GET", "/resources/branches");
    expect(listed.status).toBe(200);
    expect(listed.body.branches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: "branch",
          id: "production",
          in_use: true,
          detail: expect.objectContaining({ is_default: true }),
        }),
      ]),
    );
    const created = await call("POST", "/resources/branches?branch_id=feature-1&ttl_seconds=600");
    expect(created).toMatchObject({
      status: 200,
      body: { kind: "branch.create", resource: `${PROJECT}/branches/feature-1`, outcome: "started" },
    });
    await s.service.idle();
    const status = await call("GET", "/resources/status");
    expect(status.body).toMatchObject({
      flavour: "autoscaling",
      operation: { kind: "branch.create", outcome: "succeeded" },
    });

    expect(await call("DELETE", "/resources/branches/feature-1?confirm_name=nope")).toMatchObject({
      status: 400,
      body: { detail: expect.stringContaining("feature-1") },
    });
    const deleted = await call("DELETE", "/resources/branches/feature-1?confirm_name=feature-1");
    expect(deleted).toMatchObject({ status: 200, body: { kind: "branch.delete", outcome: "started" } });
    await s.service.idle();
  });

  it("endpoints: add, set compute (no_suspension), list, delete", async () => {
    expect(
      (await call("POST", "/resources/branches/production/endpoints?endpoint_id=ro&min_cu=0.5&max_cu=1"))
        .status,
    ).toBe(200);
    await s.service.idle();
    const patched = await call(
      "PATCH",
      "/resources/branches/production/endpoints/ro?max_cu=2&no_suspension=true",
    );
    expect(patched).toMatchObject({
      status: 200,
      body: { kind: "endpoint.update", resource: `${PROJECT}/branches/production/endpoints/ro` },
    });
    await s.service.idle();
    const listed = await call("GET", "/resources/branches/production/endpoints");
    expect(listed.body.endpoints).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id: "ro",
          detail: expect.objectContaining({ type: "read-only", max_cu: 2, suspend_timeout_seconds: null }),
        }),
      ]),
    );
    expect((await call("DELETE", "/resources/branches/production/endpoints/ro?confirm_name=ro")).status).toBe(
      200,
    );
    await s.service.idle();
  });

  it("bad input is 400 naming the REST field; non-admins 403 before anything else", async () => {
    expect(await call("POST", "/resources/branches?branch_id=Bad_Id&no_expiry=true")).toMatchObject({
      status: 400,
      body: { detail: expect.stringContaining("branch_id") },
    });
    expect(await call("POST", "/resources/branches?branch_id=x1")).toMatchObject({
      status: 400,
      body: { detail: expect.stringContaining("ttl_seconds") },
    });
    expect(await call("PATCH", "/resources/branches/production/endpoints/primary?min_cu=0.3")).toMatchObject({
      status: 400,
      body: { detail: expect.stringContaining("min_cu") },
    });
    expect(
      (await call("POST", "/resources/branches?branch_id=x1&no_expiry=true", "analyst@example.com")).status,
    ).toBe(403);
  });
});

describe("on a Provisioned app", () => {
  it("answers 412 with the reason", async () => {
    const provisioned = setUp(h, namesFor("restprov"));
    try {
      const res = await provisioned.app.request("http://api.test/api/v1/resources/branches");
      expect(res.status).toBe(412);
      expect(((await res.json()) as { detail: string }).detail).toMatch(/Autoscaling/);
    } finally {
      await provisioned.service.close();
    }
  });
});
