import { describe, expect, it } from "vitest";
import { rawPathOf } from "./request-log.ts";

describe("rawPathOf", () => {
  it.each([
    "http://127.0.0.1:8000/api/trpc/orders.byKey?input=%7B%22orderKey%22%3A1%7D",
    "http://app.example/api/trpc/orders.list,orders.count?batch=1&input=%7B%7D",
    "http://app.example/api/trpc/orders.list%2Corders.count?batch=1",
    "https://app.example/api/v1/orders/42",
    "http://app.example/",
    "http://app.example",
    "http://app.example/a%20b/c?x=1#frag",
    "http://app.example/path#frag?not-a-query",
    "http://[::1]:3000/api/health",
  ])("is the URL's encoded pathname, as new URL() gives it: %s", (url) => {
    expect(rawPathOf(url)).toBe(new URL(url).pathname);
  });
});
