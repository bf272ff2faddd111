import { randomUUID } from "node:crypto";
import { type TrackedEnvelope, tracked } from "@trpc/server";
import type { LakebaseAdmin, LakebaseStatus } from "../admin/types.ts";
import type { PollerEvent } from "./poller.ts";

// Event ids carry the process: after a restart, seq 5 is not the seq 5 a client saw before.
const BOOT = randomUUID().slice(0, 8);
const eventId = (seq: number) => `${BOOT}:${seq}`;

/**
 * Status snapshots for one subscriber, from the shared poller: the current one first (unless the client
 * already has it, per Last-Event-ID), then every change, ending once nothing is running or moving; with
 * `follow`, the stream stays open while the client watches, and changes made elsewhere (another process,
 * the bundle, the Databricks UI) arrive within one settled poll interval.
 */
export async function* progressEvents(
  admin: LakebaseAdmin,
  lastEventId: string | null | undefined,
  signal: AbortSignal | undefined,
  follow = false,
): AsyncGenerator<TrackedEnvelope<LakebaseStatus>> {
  const queue: PollerEvent<LakebaseStatus>[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = admin.poller.subscribe((event) => {
    queue.push(event);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort);
  try {
    const first = await admin.poller.current();
    let seen = first.seq;
    if (eventId(first.seq) !== lastEventId) yield tracked(eventId(first.seq), first.value);
    if (first.settled && !follow) return;
    while (!signal?.aborted) {
      const event = queue.shift();
      if (!event) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
        continue;
      }
      if (event.seq <= seen) continue;
      seen = event.seq;
      yield tracked(eventId(event.seq), event.value);
      if (event.settled && !follow) return;
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    unsubscribe();
  }
}
