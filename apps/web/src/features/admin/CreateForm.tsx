import { type FormEvent, useId, useState } from "react";
import { CAPACITIES, type Capacity, type CreateInput } from "../../api-types.ts";
import type { ErrorInfo } from "../../errors.ts";
import { ErrorMessage } from "../../ui/ErrorMessage.tsx";

export interface CreateFormProps {
  onSubmit: (input: CreateInput) => void;
  pending: boolean;
  error: ErrorInfo | null;
  /** Names from the server's configuration, so the admin sees exactly what will be created. */
  names: { instance: string; catalog: string; syncedTable: string };
}

/**
 * The create form. The submit button stays disabled until the admin ticks the cost acknowledgement:
 * an instance bills for as long as it exists, so creating one must be a deliberate act.
 */
export function CreateForm({ onSubmit, pending, error, names }: CreateFormProps) {
  const [capacity, setCapacity] = useState<Capacity>("CU_1");
  const [nodeCount, setNodeCount] = useState(1);
  const [readableSecondaries, setReadableSecondaries] = useState(false);
  const [retention, setRetention] = useState(7);
  const [acknowledged, setAcknowledged] = useState(false);
  const costId = useId();
  const retentionValid = Number.isInteger(retention) && retention >= 2 && retention <= 35;

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!acknowledged || !retentionValid) return;
    onSubmit({
      acknowledgeCost: true,
      capacity,
      nodeCount,
      enableReadableSecondaries: readableSecondaries,
      retentionWindowInDays: retention,
    });
  }

  return (
    <form className="card create-form" onSubmit={submit} aria-labelledby="create-title">
      <h3 id="create-title">Create Lakebase resources</h3>
      <p className="muted">
        Creates, if missing and in this order: instance <code>{names.instance}</code>, catalog{" "}
        <code>{names.catalog}</code>, synced table <code>{names.syncedTable}</code>.
      </p>
      <div className="form-grid">
        <label>
          Capacity
          <select value={capacity} onChange={(event) => setCapacity(event.target.value as Capacity)}>
            {CAPACITIES.map((c) => (
              <option key={c} value={c}>
                {c.replace("CU_", "")} CU
              </option>
            ))}
          </select>
        </label>
        <label>
          Node count
          <select value={nodeCount} onChange={(event) => setNodeCount(Number(event.target.value))}>
            {[1, 2, 3].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        <label>
          Retention window (days, 2–35)
          <input
            type="number"
            min={2}
            max={35}
            value={Number.isNaN(retention) ? "" : retention}
            aria-invalid={!retentionValid}
            onChange={(event) => setRetention(event.target.valueAsNumber)}
          />
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={readableSecondaries}
            disabled={nodeCount < 2}
            onChange={(event) => setReadableSecondaries(event.target.checked)}
          />
          Readable secondaries (needs 2+ nodes)
        </label>
      </div>
      <p className="checkbox">
        <input
          id={costId}
          type="checkbox"
          checked={acknowledged}
          onChange={(event) => setAcknowledged(event.target.checked)}
        />
        <label htmlFor={costId}>
          I understand that a {capacity.replace("CU_", "")} CU instance with {nodeCount} node
          {nodeCount > 1 ? "s" : ""} is billed for every hour it exists until it is stopped or deleted.
        </label>
      </p>
      {error ? <ErrorMessage info={error} /> : null}
      <div className="actions">
        <button type="submit" className="primary" disabled={!acknowledged || !retentionValid || pending}>
          {pending ? "Creating…" : "Create resources"}
        </button>
      </div>
    </form>
  );
}
