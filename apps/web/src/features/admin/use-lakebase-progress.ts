import { isSettled } from "@lakebase-orders/shared";
import { skipToken, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useState } from "react";
import type { LakebaseStatus } from "../../api-types.ts";
import { trpc } from "../../trpc.ts";

/**
 * Live status while an operation runs: each SSE event is a full status snapshot, merged into the cached
 * `lakebase.status` so every view (cards, progress, freshness) shows the same state. The server ends the
 * stream once everything is settled (the shared rule); `watch()` opens a new one after an action.
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
