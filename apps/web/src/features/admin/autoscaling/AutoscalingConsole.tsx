import { useQueries, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { BranchView, EndpointView, LakebaseStatus, ProjectView } from "../../../api-types.ts";
import { describeError } from "../../../errors.ts";
import { trpc } from "../../../trpc.ts";
import { ErrorMessage } from "../../../ui/ErrorMessage.tsx";
import { CreateOutcome } from "../CreateOutcome.tsx";
import { useLakebaseProgress } from "../use-lakebase-progress.ts";
import { type AsDialog, AutoscalingDialogs } from "./AutoscalingDialogs.tsx";
import { busy } from "./autoscaling-guard.ts";
import { BranchCard } from "./BranchCard.tsx";
import { CreateProjectForm } from "./CreateProjectForm.tsx";
import { OperationCard, type RequestAnswer } from "./OperationCard.tsx";
import { ProjectCard } from "./ProjectCard.tsx";
import { useAutoscalingActions } from "./use-autoscaling-actions.ts";

/** Other branches' endpoints are listed this often (the app branch's come with every status). */
const ENDPOINTS_POLL_MS = 10_000;
/** Expiries read "in 59 min": the clock they count from moves this often. */
const CLOCK_MS = 30_000;

/** The time now, read at every render, and a render at least this often (expiries count down). */
function useNow(everyMs: number): number {
  const [, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((n) => n + 1), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return Date.now();
}

/**
 * The console of a Lakebase Autoscaling project: the project, each branch with its endpoints and data, the
 * actions on them (each held back with its reason when it cannot run now), and the live progress of the
 * operation. Changes go through `lakebase.create`/`delete` and `lakebase.branches|endpoints|data.*`.
 */
export function AutoscalingConsole({ status, onRefresh }: { status: LakebaseStatus; onRefresh: () => void }) {
  const progress = useLakebaseProgress(status);
  const actions = useAutoscalingActions(progress.watch);
  const queryClient = useQueryClient();
  const [dialog, setDialog] = useState<AsDialog | null>(null);
  const [answer, setAnswer] = useState<RequestAnswer | null>(null);
  const now = useNow(CLOCK_MS);

  const project = status.resources.find((r): r is ProjectView => r.kind === "project") ?? null;
  const branches = status.resources
    .filter((r): r is BranchView => r.kind === "branch")
    .sort(
      (a, b) =>
        Number(b.inUse) - Number(a.inUse) ||
        Number(b.detail.isDefault) - Number(a.detail.isDefault) ||
        a.id.localeCompare(b.id),
    );
  const appEndpoints = status.resources.filter((r): r is EndpointView => r.kind === "endpoint");
  const others = branches.filter((b) => !b.inUse);
  const otherEndpoints = useQueries({
    queries: others.map((b) => ({
      ...trpc.lakebase.endpoints.list.queryOptions({ branchId: b.id }),
      refetchInterval: ENDPOINTS_POLL_MS,
      retry: false,
    })),
  });

  // An operation that ends may have changed another branch's endpoints: list them again.
  const opKey = `${status.operation?.id}:${status.operation?.outcome}`;
  useEffect(() => {
    if (opKey.endsWith(":running")) return;
    void queryClient.invalidateQueries({ queryKey: trpc.lakebase.endpoints.list.pathKey() });
  }, [opKey, queryClient]);

  const running = busy(status.operation);
  const complete = Boolean(project && status.catalog && status.syncedTable);
  const anything = Boolean(project || status.catalog || status.syncedTable);
  const canBranch = project !== null && running.ok && branches.some((b) => b.state === "READY");
  const primary = appEndpoints.find((e) => e.detail.type === "read-write" && e.inUse)?.name ?? null;

  return (
    <>
      <div className="admin-header">
        {!status.configured ? (
          <p className="muted">Databricks is not configured on this server: the console is read-only.</p>
        ) : null}
        <p className="as-flavour">
          Lakebase <strong>Autoscaling</strong>: a project of branches, each with its own computes (endpoints)
          that scale with the load and, if set to, sleep when idle (scale to zero).
        </p>
        <div className="actions">
          <button type="button" onClick={onRefresh}>
            Refresh
          </button>
          {project ? (
            <button
              type="button"
              disabled={!canBranch}
              aria-describedby={running.ok ? undefined : "as-why"}
              onClick={() => setDialog({ kind: "branch.create" })}
            >
              New branch…
            </button>
          ) : null}
          {anything ? (
            <button
              type="button"
              className="danger"
              disabled={!running.ok}
              aria-describedby={running.ok ? undefined : "as-why"}
              onClick={() => setDialog({ kind: "project.delete" })}
            >
              Delete project…
            </button>
          ) : null}
        </div>
        {running.reason ? (
          <p id="as-why" className="muted actions-why">
            {running.reason}
          </p>
        ) : null}
      </div>
      {progress.error ? <ErrorMessage info={describeError(progress.error)} /> : null}
      {status.operation || answer || progress.live ? (
        <OperationCard status={status} live={progress.live} answer={answer} />
      ) : null}
      {project ? (
        <ProjectCard project={project} primary={primary} />
      ) : (
        <section className="card" aria-labelledby="as-none">
          <h3 id="as-none">
            Project <code>{status.config.instanceName}</code>
          </h3>
          <p className="muted">The project does not exist (or was deleted).</p>
        </section>
      )}
      {branches.length > 0 ? (
        <div className="as-branches">
          {branches.map((branch) => {
            const i = others.indexOf(branch);
            const list = i < 0 ? null : otherEndpoints[i];
            return (
              <BranchCard
                key={branch.name}
                branch={branch}
                endpoints={
                  list
                    ? { data: list.data?.endpoints, error: list.error }
                    : { data: appEndpoints.filter((e) => e.parent === branch.name), error: null }
                }
                status={status}
                now={now}
                onAction={(kind) => setDialog({ kind, branch })}
                onEndpoint={(kind, endpoint) => setDialog({ kind, branch, endpoint })}
              />
            );
          })}
        </div>
      ) : null}
      {!complete && status.configured ? (
        <CreateProjectForm
          onSubmit={(input) => actions.createProject.mutate(input)}
          pending={actions.createProject.isPending || !running.ok}
          error={actions.createProject.error ? describeError(actions.createProject.error) : null}
          names={{
            project: status.config.instanceName,
            catalog: status.config.catalogName,
            syncedTable: status.config.syncedTable,
          }}
          projectExists={project !== null}
        />
      ) : null}
      {actions.createProject.data ? <CreateOutcome result={actions.createProject.data} /> : null}
      {dialog ? (
        <AutoscalingDialogs
          dialog={dialog}
          status={status}
          project={project}
          branches={branches}
          actions={actions}
          onAnswer={setAnswer}
          onClose={() => setDialog(null)}
        />
      ) : null}
    </>
  );
}
