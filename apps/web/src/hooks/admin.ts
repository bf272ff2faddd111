import { skipToken, useMutation, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useState } from "react";
import type { LakebaseStatus } from "../admin/types.ts";
import { trpc } from "../trpc.ts";

type Snapshot = Pick<LakebaseStatus, "instance" | "syncedTable" | "operation">;

/** Nothing is running or moving on its own: no reason to keep a live stream open. */
export function isSettled(status: Snapshot): boolean {
  const instanceSettled =
    !status.instance || status.instance.state === "AVAILABLE" || status.instance.state === "STOPPED";
  const table = status.syncedTable;
  const tableSettled =
    !table ||
    Boolean(table.detailedState?.startsWith("SYNCED_TABLE_ONLINE")) ||
    table.detailedState === "SYNCED_TABLE_OFFLINE_FAILED" ||
    table.state === "FAILED";
  return status.operation?.outcome !== "running" && instanceSettled && tableSettled;
}

/**
 * Live status while an operation runs: each SSE event is a full status snapshot, merged into the cached
 * `lakebase.status` so every view (cards, progress, freshness) shows the same state. The server ends the
 * stream once everything is settled; `watch()` opens a new one after an action.
 */
export function useLakebaseProgress(status: LakebaseStatus | undefined) {
  const queryClient = useQueryClient();
  const [watching, setWatching] = useState(false);
  const enabled = watching || (status !== undefined && !isSettled(status));
  const subscription = useSubscription(
    trpc.lakebase.progress.subscriptionOptions(enabled ? {} : skipToken, {
      onData: (event) => {
        queryClient.setQueryData(trpc.lakebase.status.queryKey(), (old) =>
          old ? { ...old, ...event.data } : old,
        );
        if (isSettled(event.data)) setWatching(false);
      },
    }),
  );
  return { watch: () => setWatching(true), live: enabled, error: subscription.error };
}

export function useAdminMutations(onStarted: () => void) {
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.lakebase.status.queryKey() });
  const create = useMutation(
    trpc.lakebase.create.mutationOptions({ onSuccess: onStarted, onSettled: refresh }),
  );
  const remove = useMutation(
    trpc.lakebase.delete.mutationOptions({ onMutate: onStarted, onSettled: refresh }),
  );
  const stop = useMutation(trpc.lakebase.stop.mutationOptions({ onSuccess: onStarted, onSettled: refresh }));
  const start = useMutation(
    trpc.lakebase.start.mutationOptions({ onSuccess: onStarted, onSettled: refresh }),
  );
  return { create, remove, stop, start };
}
