import type { WorkspaceClient } from "@databricks/sdk-experimental";
import { parseErrorFromResponse } from "@databricks/sdk-experimental/dist/apierr.js";
import { withDeadline } from "../deadline.ts";

export type Query = Record<string, string | number | boolean | undefined>;
export type Method = "GET" | "POST" | "DELETE" | "PATCH";

const PREFIX = "/api/2.0/postgres/";

/**
 * One HTTP call of the `postgres` API, with a deadline. GET, POST and DELETE go through the SDK's own
 * client (`w.apiClient.request`, as AppKit calls this API: its auth, user agent, retries of 429 and
 * ApiError parsing); PATCH goes through fetch with the SDK's auth header, because the SDK sends no body
 * with PATCH (the same gap `DatabaseApi.setStopped` works around), its errors parsed into the SDK's ApiError.
 */
export class PostgresTransport {
  readonly #w: WorkspaceClient;
  readonly #timeoutMs: number;

  constructor(w: WorkspaceClient, timeoutMs: number) {
    this.#w = w;
    this.#timeoutMs = timeoutMs;
  }

  /** `path` is relative to `/api/2.0/postgres/` (a resource name, or a collection). */
  call<T>(method: Method, path: string, options: { query?: Query; body?: unknown } = {}): Promise<T> {
    const seconds = Math.round(this.#timeoutMs / 1000);
    const work = method === "PATCH" ? this.#patch<T>(path, options) : this.#request<T>(method, path, options);
    return withDeadline(
      work,
      this.#timeoutMs,
      `Databricks did not answer ${method} ${path} within ${seconds} s`,
    );
  }

  async #request<T>(method: Exclude<Method, "PATCH">, path: string, o: { query?: Query; body?: unknown }) {
    const body = await this.#w.apiClient.request({
      path: PREFIX + encodePath(path),
      method,
      headers: new Headers({ Accept: "application/json", "Content-Type": "application/json" }),
      raw: false,
      query: definedOnly(o.query),
      ...(o.body !== undefined ? { payload: o.body } : {}),
    });
    return (body ?? {}) as T;
  }

  async #patch<T>(path: string, o: { query?: Query; body?: unknown }): Promise<T> {
    // Ends the request itself shortly after the deadline has answered the caller (which it always does first).
    const signal = AbortSignal.timeout(this.#timeoutMs + 1000);
    const url = new URL(PREFIX + encodePath(path), await this.#w.config.getHost());
    for (const [key, value] of Object.entries(definedOnly(o.query))) url.searchParams.set(key, value);
    for (let attempt = 1; ; attempt++) {
      const headers = new Headers({ Accept: "application/json", "Content-Type": "application/json" });
      await this.#w.config.authenticate(headers);
      const response = await fetch(url, {
        method: "PATCH",
        headers,
        body: JSON.stringify(o.body ?? {}),
        signal,
      });
      const text = await response.text();
      if (response.ok) return (text ? JSON.parse(text) : {}) as T;
      // Like the SDK: 429 is retried (briefly, with backoff, within the deadline); the rest is the caller's.
      if (response.status === 429 && attempt < 5 && !signal.aborted) {
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
        continue;
      }
      throw parseErrorFromResponse(response.status, response.statusText, text);
    }
  }
}

/** Each segment of a resource name escaped; the slashes between them are the API's path. */
function encodePath(path: string): string {
  return path
    .replace(/^\/+/, "")
    .split("/")
    .map((segment) => encodeURIComponent(segment))
    .join("/");
}

function definedOnly(query: Query | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) out[key] = String(value);
  return out;
}
