import type { ErrorInfo } from "../errors.ts";

/**
 * A failed request: what went wrong in a sentence, the Databricks code if any, and what to do next. Retry is
 * offered only where asking again may work (not for a missing order or a refused input).
 */
export function ErrorMessage({ info, onRetry }: { info: ErrorInfo; onRetry?: (() => void) | undefined }) {
  return (
    <div className="error-box" role="alert">
      <p className="error-title">
        <strong title={info.code}>{info.title}</strong>
        {info.databricksCode ? <code className="error-code">{info.databricksCode}</code> : null}
      </p>
      <p>{info.message}</p>
      <p className="next-step">Next step: {info.nextStep}</p>
      {onRetry && info.retryable ? (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}
