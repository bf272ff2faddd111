import { ADMIN_MUTATIONS, type HostileRequest } from "./hostile-inputs.ts";

export interface HostileOutcome {
  request: HostileRequest;
  /** HTTP status, or 0 when no answer came: the deadline passed (a hang) or the connection dropped. */
  status: number;
  ms: number;
  hung: boolean;
  /** Admin mutations of this request that answered with a result (not an error). */
  adminSuccesses: string[];
  error?: string;
}

export interface HostileRunOptions {
  /** Headers that say who asks (e.g. X-Forwarded-Email). */
  identity: Record<string, string>;
  concurrency?: number;
  /** A request still unanswered after this is a hang (default 10 s). */
  timeoutMs?: number;
}

export interface HostileSummary {
  sent: number;
  byStatus: Record<string, number>;
  /** Requests and their summed time per kind of hostility. */
  byKind: Record<string, { count: number; ms: number }>;
  serverErrors: HostileOutcome[];
  /** No answer within the deadline. */
  hangs: HostileOutcome[];
  /** The connection closed without an answer. */
  dropped: HostileOutcome[];
  adminSuccesses: HostileOutcome[];
  slowestMs: number;
  totalMs: number;
}

/** Sends every request (`concurrency` at a time) and sorts what came back. */
export async function runHostile(
  baseUrl: string,
  requests: readonly HostileRequest[],
  options: HostileRunOptions,
): Promise<HostileSummary> {
  const started = performance.now();
  const outcomes: HostileOutcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const request = requests[next++]!;
      outcomes.push(await send(baseUrl, request, options));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  const byStatus: Record<string, number> = {};
  const byKind: Record<string, { count: number; ms: number }> = {};
  for (const o of outcomes) {
    byStatus[o.status] = (byStatus[o.status] ?? 0) + 1;
    const k = byKind[o.request.kind] ?? { count: 0, ms: 0 };
    byKind[o.request.kind] = { count: k.count + 1, ms: k.ms + o.ms };
  }
  return {
    sent: outcomes.length,
    byStatus,
    byKind,
    serverErrors: outcomes.filter((o) => o.status >= 500),
    hangs: outcomes.filter((o) => o.hung),
    dropped: outcomes.filter((o) => o.status === 0 && !o.hung),
    adminSuccesses: outcomes.filter((o) => o.adminSuccesses.length > 0),
    slowestMs: Math.max(0, ...outcomes.map((o) => o.ms)),
    totalMs: performance.now() - started,
  };
}

async function send(
  baseUrl: string,
  request: HostileRequest,
  options: HostileRunOptions,
): Promise<HostileOutcome> {
  const started = performance.now();
  const controller = new AbortController();
  const timeoutMs = options.timeoutMs ?? 10_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const outcome = (status: number, adminSuccesses: string[] = [], error?: string): HostileOutcome => ({
    request,
    status,
    ms: performance.now() - started,
    hung: timedOut,
    adminSuccesses,
    ...(error !== undefined && { error }),
  });
  try {
    const res = await fetch(`${baseUrl}${request.path}`, {
      method: request.method,
      headers: { ...request.headers, ...options.identity },
      ...(request.body !== undefined && request.method !== "GET" && request.method !== "HEAD"
        ? { body: request.body }
        : {}),
      signal: controller.signal,
    });
    if (request.stream && res.headers.get("content-type")?.includes("text/event-stream")) {
      // A subscription: one event is an answer; then hang up (it may rightly stay open for long).
      const reader = res.body?.getReader();
      await reader?.read();
      controller.abort();
      return outcome(res.status);
    }
    const text = await res.text();
    const admin = request.restAdmin && res.status === 200 ? [request.path.split("?")[0]!] : [];
    return outcome(res.status, [...admin, ...adminSuccessesIn(request, res.status, text)]);
  } catch (error) {
    return outcome(0, [], error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  } finally {
    clearTimeout(timer);
  }
}

const ADMIN = new Set<string>(ADMIN_MUTATIONS);

/** Admin mutations of the request whose answer is a result: `{result}` alone, or in a batch's array. */
function adminSuccessesIn(request: HostileRequest, status: number, text: string): string[] {
  if (status >= 300 || !request.procedures.some((p) => ADMIN.has(p))) return [];
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return [];
  }
  const items = Array.isArray(body) ? body : [body];
  return items.flatMap((item, i) => {
    const procedure = request.procedures[i];
    const ok = item && typeof item === "object" && "result" in item;
    return ok && procedure && ADMIN.has(procedure) ? [procedure] : [];
  });
}
