import { useEffect, useId, useState } from "react";
import { useFormat } from "../../../locale.ts";
import { DATE_BOUNDS, type DateEntry, entryProblem, readDateEntry } from "./date-entry.ts";

export interface DateFieldProps {
  label: string;
  /** The date in the URL (what the table shows). */
  value: string | undefined;
  /** A complete date, or undefined when the field was cleared. */
  onCommit: (value: string | undefined) => void;
  /** Why the applied value is refused (an inverted range, the server's sentence), shown beside the field. */
  problem?: string | null | undefined;
  /** The id of a message about this field that sits elsewhere (the range's). */
  describedBy?: string | undefined;
}

/**
 * A date filter that takes typing and picking alike, and applies only a complete date: a half-typed one
 * stays in the field (nothing is sent) and, once the user leaves it, a line beside it says why.
 */
export function DateField({ label, value, onCommit, problem, describedBy }: DateFieldProps) {
  const format = useFormat();
  const messageId = useId();
  const [draft, setDraft] = useState(value ?? "");
  const [entry, setEntry] = useState<DateEntry | null>(null);
  const [left, setLeft] = useState(false);
  // The URL changed under the field (Back, Clear filters, a month of the trend): it shows that.
  useEffect(() => {
    setDraft(value ?? "");
    setEntry(null);
  }, [value]);

  const own = left && entry ? entryProblem(entry, format.date) : null;
  const message = own ?? problem ?? null;
  const describers = [message ? messageId : null, describedBy].filter(Boolean).join(" ") || undefined;
  return (
    <div className="date-field">
      <label>
        {label}
        <input
          type="date"
          value={draft}
          min={DATE_BOUNDS.min}
          max={DATE_BOUNDS.max}
          aria-invalid={Boolean(message) || undefined}
          aria-describedby={describers}
          onChange={(event) => {
            const next = readDateEntry(event.currentTarget.value, event.currentTarget.validity.badInput);
            setDraft(event.currentTarget.value);
            setEntry(next);
            setLeft(false);
            if (next.kind === "empty" && value !== undefined) onCommit(undefined);
            if (next.kind === "complete" && next.value !== value) onCommit(next.value);
          }}
          onBlur={() => setLeft(true)}
        />
      </label>
      <span id={messageId} className="field-error" aria-live="polite">
        {message}
      </span>
    </div>
  );
}
