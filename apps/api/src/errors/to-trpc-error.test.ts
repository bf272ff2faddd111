import { getTRPCErrorFromUnknown } from "@trpc/server";
import { describe, expect, it } from "vitest";
import { DomainError, notFound } from "./domain-error.ts";
import { toTrpcError } from "./to-trpc-error.ts";

describe("toTrpcError", () => {
  it("gives a wrapped domain error its code and message, and keeps it as the cause", () => {
    const domain = new DomainError("unavailable", "The database is unavailable; retry shortly.", {
      cause: new Error("connect ECONNREFUSED"),
    });
    const mapped = toTrpcError(getTRPCErrorFromUnknown(domain));
    expect(mapped.code).toBe("SERVICE_UNAVAILABLE");
    expect(mapped.message).toBe("The database is unavailable; retry shortly.");
    expect(mapped.cause).toBe(domain);
    expect(toTrpcError(getTRPCErrorFromUnknown(notFound("Order 7 not found"))).code).toBe("NOT_FOUND");
  });

  it("leaves other errors as tRPC made them", () => {
    const internal = getTRPCErrorFromUnknown(new Error("bug"));
    expect(toTrpcError(internal)).toBe(internal);
  });
});
