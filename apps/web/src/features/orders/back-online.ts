import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { trpc } from "../../trpc.ts";
import { useReadingBlocked } from "../lakebase/use-lakebase-status.ts";

/**
 * When an outage ends (the Lakebase status says the orders can be read again), every orders read is asked
 * again: figures kept from before it are old, and reads that failed during it have no timer of their own.
 */
export function useRefetchWhenReadable(): void {
  const queryClient = useQueryClient();
  const blocked = useReadingBlocked();
  const wasBlocked = useRef(blocked);
  useEffect(() => {
    if (wasBlocked.current && !blocked)
      void queryClient.invalidateQueries({ queryKey: trpc.orders.pathKey() });
    wasBlocked.current = blocked;
  }, [blocked, queryClient]);
}
