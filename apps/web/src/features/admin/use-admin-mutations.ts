import { useMutation, useQueryClient } from "@tanstack/react-query";
import { trpc } from "../../trpc.ts";

/** The four admin actions; each refreshes the status when it ends and calls `onStarted` once accepted. */
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

export type AdminMutations = ReturnType<typeof useAdminMutations>;
