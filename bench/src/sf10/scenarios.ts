// Every sort and filter of the list, the trend, counts and stats: one call each, as the SPA and curl send it
// (a tRPC GET), the first time after the API settled and then warm.

export interface Call {
  name: string;
  procedure: string;
  input: Record<string, unknown>;
}

const list = (name: string, input: Record<string, unknown>): Call => ({
  name,
  procedure: "orders.list",
  input: { pageSize: 100, includeCount: true, ...input },
});

export function calls(rows: number): Call[] {
  // 10 % into the table, at 100 a page.
  const deep = Math.max(2, Math.floor(rows / 1000));
  return [
    list("list by key", { sort: "orderKey" }),
    list("list by key desc", { sort: "-orderKey" }),
    list("list by date", { sort: "orderDate" }),
    list("list by date desc", { sort: "-orderDate" }),
    list("list by price", { sort: "totalPrice" }),
    list("list by price desc", { sort: "-totalPrice" }),
    list("list by price, page 50", { sort: "totalPrice", page: 50, includeCount: false }),
    list("list by date desc, page 50", { sort: "-orderDate", page: 50, includeCount: false }),
    list(`list by price desc, page ${deep.toLocaleString("en")}`, {
      sort: "-totalPrice",
      page: deep,
      includeCount: false,
    }),
    list("status P by date", { status: "P", sort: "orderDate" }),
    list("status F + 1-URGENT by price desc", { status: "F", priority: "1-URGENT", sort: "-totalPrice" }),
    list("status O since 1997 by date desc", { status: "O", dateFrom: "1997-01-01", sort: "-orderDate" }),
    list("5-LOW in 1995 Q1 by price", {
      priority: "5-LOW",
      dateFrom: "1995-01-01",
      dateTo: "1995-03-31",
      sort: "totalPrice",
    }),
    list("2-HIGH by date desc", { priority: "2-HIGH", sort: "-orderDate" }),
    { name: "stream status P", procedure: "orders.stream", input: { status: "P", pageSize: 100 } },
    {
      name: "count F + 2-HIGH in 1994",
      procedure: "orders.count",
      input: { status: "F", priority: "2-HIGH", dateFrom: "1994-01-01", dateTo: "1994-12-31" },
    },
    { name: "stats 3-MEDIUM", procedure: "orders.stats", input: { priority: "3-MEDIUM" } },
    { name: "stats all", procedure: "orders.stats", input: {} },
    { name: "trend by status", procedure: "orders.trend", input: { splitBy: "status" } },
    { name: "trend by priority, F", procedure: "orders.trend", input: { splitBy: "priority", status: "F" } },
  ];
}

export const pathOf = (c: Call) =>
  `/api/trpc/${c.procedure}?input=${encodeURIComponent(JSON.stringify(c.input))}`;

export interface Timing {
  ms: number;
  status: number;
}

/** One call, timed to its last byte. */
export async function timeCall(baseUrl: string, c: Call, timeoutMs = 120_000): Promise<Timing> {
  const started = performance.now();
  try {
    const response = await fetch(`${baseUrl}${pathOf(c)}`, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return { ms: performance.now() - started, status: response.status };
  } catch {
    return { ms: performance.now() - started, status: 0 };
  }
}

export function formatTiming(t: Timing | undefined): string {
  if (!t) return "-";
  const figure = t.ms >= 1000 ? `${(t.ms / 1000).toFixed(1)} s` : `${t.ms.toFixed(t.ms < 10 ? 1 : 0)} ms`;
  return t.status === 200 ? figure : `${figure} (${t.status || "no answer"})`;
}
