import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError, z } from "zod";
import { isDomainError } from "../errors/domain-error.ts";
import { HTTP_STATUSES } from "../errors/to-trpc-error.ts";

/** The guide's (FastAPI's) error body. */
export const problem = z
  .object({ detail: z.string().meta({ description: "What went wrong, for a person to read" }) })
  .meta({ id: "Error" });

export interface Problem {
  status: ContentfulStatusCode;
  detail: string;
}

/** Speaks REST names in messages that name a procedure's field (`dateFrom` → `date_from`). */
export type Speak = (text: string) => string;

const CAMEL = /\b[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+\b/g;

/**
 * One translator over every route's renames. Only camelCase words are spoken differently (a one-word name
 * such as `status` reads the same either way), and each must mean the same REST field on every route.
 */
export function speakerFor(names: Iterable<ReadonlyMap<string, string>>): Speak {
  const all = new Map<string, string>();
  for (const map of names) {
    for (const [name, restName] of map) {
      if (!/[A-Z]/.test(name)) continue;
      const known = all.get(name);
      if (known !== undefined && known !== restName) {
        throw new Error(`REST names disagree for "${name}": ${known} and ${restName}`);
      }
      all.set(name, restName);
    }
  }
  return (text) => text.replace(CAMEL, (word) => all.get(word) ?? word);
}

const WHERE: Record<string, string> = { query: "query", param: "path", json: "body" };

/** Zod issues as one line naming each field, e.g. `page_size: Too big: expected number to be <=1000`. */
export function describeIssues(error: ZodError, target: string, speak: Speak): string {
  return error.issues
    .map((issue) => {
      const field = issue.path.map((p) => speak(String(p))).join(".") || (WHERE[target] ?? target);
      const message = speak(issue.message);
      // Our own messages often start with the field already ("date_from must be on or before date_to").
      return message.startsWith(`${field} `) ? message : `${field}: ${message}`;
    })
    .join("; ");
}

/**
 * Any failure as an HTTP status and a detail. Domain errors get their status from `HTTP_STATUSES` (the one
 * mapping of kinds); bad input is 400 naming the field; anything unexpected is a bare 500 (the cause is in
 * the log, with the request id).
 */
export function problemOf(error: unknown, speak: Speak): Problem {
  const domain = isDomainError(error) ? error : error instanceof TRPCError && error.cause;
  if (isDomainError(domain)) {
    return { status: HTTP_STATUSES[domain.kind] as ContentfulStatusCode, detail: domain.message };
  }
  if (error instanceof TRPCError) {
    if (error.cause instanceof ZodError) {
      return { status: 400, detail: describeIssues(error.cause, "query", speak) };
    }
    if (error.code !== "INTERNAL_SERVER_ERROR") {
      return { status: getHTTPStatusCodeFromError(error) as ContentfulStatusCode, detail: error.message };
    }
  }
  if (error instanceof HTTPException && error.status < 500) {
    return { status: error.status, detail: error.message || "Bad request" };
  }
  return { status: 500, detail: "Internal server error" };
}
