import { useMutation, useQueryClient } from "@tanstack/react-query";
import { trpc } from "../../../trpc.ts";

/**
 * The Autoscaling console's changes: the project's create and delete (`lakebase.create`/`delete`, as on
 * Provisioned) and the branch, endpoint and data actions. Each watches the progress once accepted and
 * refreshes the status and the lists when it ends. Retrying one is safe: the API answers `existing` for a
 * create that already happened and `not_found` for a delete that did.
 */
export function useAutoscalingActions(onStarted: () => void) {
  const queryClient = useQueryClient();
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.lakebase.status.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.lakebase.endpoints.list.pathKey() }),
    ]);
  const started = { onSuccess: onStarted, onSettled: refresh };
  return {
    createProject: useMutation(trpc.lakebase.create.mutationOptions(started)),
    deleteProject: useMutation(
      trpc.lakebase.delete.mutationOptions({ onMutate: onStarted, onSettled: refresh }),
    ),
    createBranch: useMutation(trpc.lakebase.branches.create.mutationOptions(started)),
    deleteBranch: useMutation(trpc.lakebase.branches.delete.mutationOptions(started)),
    createEndpoint: useMutation(trpc.lakebase.endpoints.create.mutationOptions(started)),
    updateEndpoint: useMutation(trpc.lakebase.endpoints.update.mutationOptions(started)),
    deleteEndpoint: useMutation(trpc.lakebase.endpoints.delete.mutationOptions(started)),
    attachData: useMutation(trpc.lakebase.data.attach.mutationOptions(started)),
    // The app's read-write endpoint disabled or enabled (the Provisioned console's stop and start).
    stop: useMutation(trpc.lakebase.stop.mutationOptions(started)),
    start: useMutation(trpc.lakebase.start.mutationOptions(started)),
  };
}

export type AutoscalingActions = ReturnType<typeof useAutoscalingActions>;
