import type { ErrorInfo } from "../errors.ts";

/** A failed request: what went wrong, the Databricks code if any, and what to do next. */
export function ErrorMessage({ info, onRetry }: { info: ErrorInfo; onRetry?: () => void }) {
  return (
    <div className="error-box" role="alert">
      <p className="error-title">
        <strong>{info.code.replaceAll("_", " ").toLowerCase()}</strong>
        {info.databricksCode ? <code className="error-code">{info.databricksCode}</code> : null}
      </p>
      <p>{info.message}</p>
      <p className="next-step">Next step: {info.nextStep}</p>
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}
