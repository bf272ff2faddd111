import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@lakebase-orders/db";
import { conflict, notFound } from "../errors/domain-error.ts";
import { mapDbError } from "../orders/db-errors.ts";
import {
  type DeleteViewOutput,
  MAX_VIEWS_PER_OWNER,
  type SavedView,
  type SaveViewInput,
  type ViewSearch,
  type ViewsListOutput,
  viewSearch,
} from "./schemas.ts";

/** Saved views, per owner; one is read by anyone who holds its id (its link). Throws domain errors. */
export interface ViewsService {
  list(owner: string): Promise<ViewsListOutput>;
  get(id: string, caller: string | null): Promise<SavedView>;
  save(owner: string, input: SaveViewInput): Promise<SavedView>;
  remove(owner: string, id: string): Promise<DeleteViewOutput>;
}

const TABLE = "app_data.saved_views";
// The namespace of the per-owner advisory lock (its two-int form never meets the migrations' bigint key).
const LOCK_NAMESPACE = 16;

interface Row {
  id: string;
  owner: string;
  name: string;
  search: unknown;
  createdAt: Date;
  updatedAt: Date;
}

/** A stored search the screen no longer understands (a column since renamed) opens as the default view. */
const storedSearch = viewSearch.catch({});

function toView(row: Row, caller: string | null): SavedView {
  return {
    id: row.id,
    name: row.name,
    search: storedSearch.parse(row.search),
    owner: row.owner,
    mine: row.owner === caller,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const newId = () => randomBytes(16).toString("base64url");

/**
 * Runs one owner's saves in this process one after another. Each save's transaction holds a pool connection
 * while it waits for the owner's advisory lock: a burst of saves by one caller would otherwise take every
 * connection and outwait Prisma's transaction limits (an internal error under load). Waiting here holds
 * nothing; the advisory lock still orders saves across processes. The write rate limit bounds the queue.
 */
function oneSaveAtATime(): <R>(owner: string, work: () => Promise<R>) => Promise<R> {
  const queues = new Map<string, Promise<unknown>>();
  return (owner, work) => {
    const run = (queues.get(owner) ?? Promise.resolve()).then(work, work);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    queues.set(owner, settled);
    void settled.then(() => {
      if (queues.get(owner) === settled) queues.delete(owner);
    });
    return run;
  };
}

export function createViewsService(prisma: PrismaClient): ViewsService {
  const guard = async <R>(work: () => Promise<R>): Promise<R> => {
    try {
      return await work();
    } catch (error) {
      throw mapDbError(error, TABLE);
    }
  };

  const serialized = oneSaveAtATime();

  return {
    list: (owner) =>
      guard(async () => {
        const rows = await prisma.savedView.findMany({
          where: { owner },
          orderBy: [{ updatedAt: "desc" }, { name: "asc" }],
          take: MAX_VIEWS_PER_OWNER,
        });
        return { views: rows.map((row) => toView(row, owner)), max: MAX_VIEWS_PER_OWNER };
      }),

    get: (id, caller) =>
      guard(async () => {
        const row = await prisma.savedView.findUnique({ where: { id } });
        if (!row) throw notFound("No saved view has this link (it may have been deleted)");
        return toView(row, caller);
      }),

    save: (owner, input) =>
      guard(() =>
        serialized(owner, () =>
          // One owner's saves run one at a time: the count and the insert agree, so the limit holds.
          prisma.$transaction(async (tx) => {
            await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LOCK_NAMESPACE}::int, hashtext(${owner}))`;
            const search: ViewSearch = input.search;
            const existing = await tx.savedView.findUnique({
              where: { owner_name: { owner, name: input.name } },
            });
            if (existing) {
              const row = await tx.savedView.update({
                where: { id: existing.id },
                data: { search, updatedAt: new Date() },
              });
              return toView(row, owner);
            }
            const count = await tx.savedView.count({ where: { owner } });
            if (count >= MAX_VIEWS_PER_OWNER) {
              throw conflict(`You already have ${MAX_VIEWS_PER_OWNER} saved views: delete one first`);
            }
            const row = await tx.savedView.create({ data: { id: newId(), owner, name: input.name, search } });
            return toView(row, owner);
          }),
        ),
      ),

    remove: (owner, id) =>
      guard(async () => {
        const { count } = await prisma.savedView.deleteMany({ where: { id, owner } });
        // Someone else's view is as absent as a missing one: a link holder learns nothing by trying.
        if (count === 0) throw notFound("You have no saved view with this id");
        return { id, deleted: true };
      }),
  };
}
