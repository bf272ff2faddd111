import type { ProjectView } from "../../../api-types.ts";
import { useFormat } from "../../../locale.ts";
import { durationLabel, idOf } from "./autoscaling-format.ts";

/** The project: what it is, its production (default) branch, and how far back a branch may start. */
export function ProjectCard({ project, primary }: { project: ProjectView; primary: string | null }) {
  const { dateTime } = useFormat();
  const d = project.detail;
  return (
    <section className="card as-project" aria-labelledby="as-project-title">
      <h3 id="as-project-title">
        Project <code>{project.id}</code>
      </h3>
      <dl>
        {d.displayName && d.displayName !== project.id ? (
          <>
            <dt>Name</dt>
            <dd>{d.displayName}</dd>
          </>
        ) : null}
        <dt>Production branch</dt>
        <dd>{d.defaultBranch ? <code>{idOf(d.defaultBranch)}</code> : "—"}</dd>
        <dt>Primary endpoint</dt>
        <dd>{primary ? <code>{idOf(primary)}</code> : "none yet"}</dd>
        <dt>PostgreSQL</dt>
        <dd>{d.pgVersion ?? "—"}</dd>
        <dt>History window</dt>
        <dd>
          {d.historyRetentionSeconds === null
            ? "—"
            : `${durationLabel(d.historyRetentionSeconds)} (a branch can start from any point in it)`}
        </dd>
        <dt>Created</dt>
        <dd>{project.createdAt ? dateTime(project.createdAt) : "—"}</dd>
        <dt>Last compute activity</dt>
        <dd>{d.lastActiveAt ? dateTime(d.lastActiveAt) : "—"}</dd>
      </dl>
    </section>
  );
}
