import type { AppRouter } from "@lakebase-orders/api";
import { TRPCClientError } from "@trpc/client";
import { describe, expect, it } from "vitest";
import { describeError } from "./errors.ts";

/** An error as the tRPC client hands it over, from the API's JSON answer. */
function answered(message: string, data: Record<string, unknown>) {
  return TRPCClientError.from<AppRouter>({ error: { message, code: -32600, data } } as never);
}

describe("describeError", () => {
  it("turns the API's validation refusal into sentences by field, never its JSON", () => {
    const raw = JSON.stringify([
      { code: "custom", path: ["dateFrom"], message: "must be a date from 1900-01-01 to 2199-12-31" },
    ]);
    const info = describeError(
      answered(raw, {
        code: "BAD_REQUEST",
        httpStatus: 400,
        zodError: {
          formErrors: [],
          fieldErrors: {
            dateFrom: ["must be a date from 1900-01-01 to 2199-12-31"],
            dateTo: ["dateFrom must be on or before dateTo"],
          },
        },
        databricks: null,
      }),
    );
    expect(info.fields).toEqual({
      dateFrom: "“From” must be a date from 1900-01-01 to 2199-12-31.",
      dateTo: "“From” must be on or before “To”.",
    });
    expect(info.message).not.toContain("[");
    expect(info).toMatchObject({ title: "Check the input", retryable: false });
  });

  it("says one thing about a conflict, and offers no retry for answers that would not change", () => {
    const conflict = describeError(
      answered("Order 7 has status F, not the expected O; reload and retry.", {
        code: "CONFLICT",
        httpStatus: 409,
      }),
    );
    expect(conflict.message).toBe("Someone else changed it first, so this change was not saved.");
    expect(conflict.message + conflict.nextStep).not.toMatch(/reload/i);
    expect(
      describeError(answered("Order 9 not found", { code: "NOT_FOUND", httpStatus: 404 })).retryable,
    ).toBe(false);
    const down = describeError(
      answered("The database is unavailable; retry shortly.", { code: "SERVICE_UNAVAILABLE" }),
    );
    expect(down).toMatchObject({ title: "Temporarily unavailable", retryable: true });
  });
});
