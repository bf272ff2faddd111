import { useId, useState } from "react";
import type { CreateInput } from "../../../api-types.ts";
import type { ErrorInfo } from "../../../errors.ts";
import { ComputeFields } from "./EndpointDialog.tsx";

export interface CreateProjectFormProps {
  onSubmit: (input: CreateInput) => void;
  pending: boolean;
  error: ErrorInfo | null;
  names: { project: string; catalog: string; syncedTable: string };
  /** Whether the project is there already (then only what is missing is created, its compute unchanged). */
  projectExists: boolean;
}

/**
 * `lakebase.create` on Autoscaling: the project with its production branch and primary endpoint (sized by
 * the compute fields), then the catalog and the synced table; whatever exists already is kept. The cost is
 * acknowledged first, as on Provisioned.
 */
export function CreateProjectForm({
  onSubmit,
  pending,
  error,
  names,
  projectExists,
}: CreateProjectFormProps) {
  const [historyDays, setHistoryDays] = useState(7);
  const [acknowledged, setAcknowledged] = useState(false);
  const ackId = useId();
  const historyValid = Number.isInteger(historyDays) && historyDays >= 2 && historyDays <= 35;
  return (
    <section className="card create-form" aria-labelledby="as-create-title">
      <h3 id="as-create-title">{projectExists ? "Create what is missing" : "Create the Lakebase project"}</h3>
      <p className="muted">
        Creates, if missing and in this order: project <code>{names.project}</code> with its production branch
        and primary endpoint, catalog <code>{names.catalog}</code>, synced table{" "}
        <code>{names.syncedTable}</code>.
      </p>
      <ComputeFields
        initial={{ minCu: 0.5, maxCu: 2, suspendTimeoutSeconds: 300 }}
        extra={
          projectExists ? null : (
            <label>
              History window (days, 2–35)
              <input
                type="number"
                min={2}
                max={35}
                value={Number.isNaN(historyDays) ? "" : historyDays}
                aria-invalid={!historyValid}
                onChange={(event) => setHistoryDays(event.target.valueAsNumber)}
              />
            </label>
          )
        }
        extraProblem={projectExists || historyValid ? null : "The history window is 2 to 35 days."}
        ready={acknowledged}
        submitLabel={projectExists ? "Create the rest" : "Create project"}
        computeHidden={projectExists}
        onSubmit={(compute) =>
          onSubmit({
            acknowledgeCost: true,
            ...(projectExists ? {} : { retentionWindowInDays: historyDays, compute }),
          })
        }
        pending={pending}
        error={error}
      >
        <p className="checkbox">
          <input
            id={ackId}
            type="checkbox"
            checked={acknowledged}
            onChange={(event) => setAcknowledged(event.target.checked)}
          />
          <label htmlFor={ackId}>
            I understand that the project bills for its storage while it exists, and for compute while an
            endpoint runs (asleep endpoints bill no compute).
          </label>
        </p>
      </ComputeFields>
    </section>
  );
}
