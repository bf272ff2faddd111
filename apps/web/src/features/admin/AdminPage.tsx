import { describeError } from "../../errors.ts";
import { ErrorMessage } from "../../ui/ErrorMessage.tsx";
import { useLakebaseStatus } from "../lakebase/use-lakebase-status.ts";
import { AdminConsole } from "./AdminConsole.tsx";
import { AutoscalingConsole } from "./autoscaling/AutoscalingConsole.tsx";

/** /admin: the console for admins, a clear refusal for everyone else. */
export function AdminPage() {
  return (
    <>
      <h2 className="page-title">Lakebase resources</h2>
      <p className="lede">
        The Lakebase database this app reads from (a Provisioned instance or an Autoscaling project), its
        Unity Catalog catalog and the synced orders table. Admins named in APP_ADMINS manage them here; each
        action is audited.
      </p>
      <AdminContent />
    </>
  );
}

function AdminContent() {
  const status = useLakebaseStatus(10_000);
  if (status.isPending) return <p role="status">Loading Lakebase status…</p>;
  if (status.error) {
    return <ErrorMessage info={describeError(status.error)} onRetry={() => void status.refetch()} />;
  }
  if (!status.data.viewer.isAdmin) {
    return (
      <section className="card" aria-labelledby="denied-title">
        <h3 id="denied-title">Admin console</h3>
        <p role="alert">
          {status.data.viewer.email ?? "You"} cannot manage Lakebase resources: only the admins listed in
          APP_ADMINS can.
        </p>
      </section>
    );
  }
  const refresh = () => void status.refetch();
  // The flavour is fixed by the server's configuration: a Provisioned instance, or an Autoscaling project.
  if (status.data.flavour === "autoscaling") {
    return <AutoscalingConsole status={status.data} onRefresh={refresh} />;
  }
  return <AdminConsole status={status.data} onRefresh={refresh} />;
}
