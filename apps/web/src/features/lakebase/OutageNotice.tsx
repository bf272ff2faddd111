import { useDataOutage } from "./use-lakebase-status.ts";

/**
 * Above the orders: what keeps them from being read (or may make them out of date), in plain words, who did
 * it when the viewer may know, and what happens next. Nothing at all while the data is fine.
 */
export function OutageNotice() {
  const outage = useDataOutage();
  // Always in the page (empty when all is well), so the announcement of an outage is heard when it begins.
  return (
    <div className="outage-slot" role="status">
      {outage ? (
        <div className={`outage-notice outage-${outage.tone}`} data-outage={outage.kind}>
          <p className="outage-title">
            <strong>{outage.title}</strong>
          </p>
          <p>{outage.detail}</p>
        </div>
      ) : null}
    </div>
  );
}
