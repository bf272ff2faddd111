import type { CreateResult } from "../../api-types.ts";

/** What the create call did with each resource (it answers before provisioning ends). */
export function CreateOutcome({ result }: { result: CreateResult }) {
  return (
    <section className="card" aria-labelledby="create-result">
      <h3 id="create-result">Create accepted</h3>
      <ul className="outcomes">
        {result.resources.map((r) => (
          <li key={r.resource}>
            {r.resource} <code>{r.name}</code>: {r.outcome}
            {r.inBackground ? " (provisioning in the background)" : ""}
          </li>
        ))}
      </ul>
    </section>
  );
}
