import type { CreateResult } from "../../api-types.ts";
import { resourceLabel } from "../../labels.ts";

const OUTCOME_LABELS: Readonly<Record<string, string>> = { created: "created", existing: "already existed" };

/** What the create call did with each resource (it answers before provisioning ends). */
export function CreateOutcome({ result }: { result: CreateResult }) {
  return (
    <section className="card" aria-labelledby="create-result">
      <h3 id="create-result">Create accepted</h3>
      <ul className="outcomes">
        {result.resources.map((r) => (
          <li key={r.resource}>
            {resourceLabel(r.resource)} <code>{r.name}</code>: {OUTCOME_LABELS[r.outcome] ?? r.outcome}
            {r.inBackground ? " (provisioning in the background)" : ""}
          </li>
        ))}
      </ul>
    </section>
  );
}
