import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import type { SavedView, ViewSearch } from "../../../api-types.ts";
import { describeError } from "../../../errors.ts";
import type { Format } from "../../../format.ts";
import { priorityLabel, sortLabel, statusLabel } from "../../../labels.ts";
import { useFormat } from "../../../locale.ts";
import { trpc } from "../../../trpc.ts";
import { Dialog } from "../../../ui/Dialog.tsx";
import { ErrorMessage } from "../../../ui/ErrorMessage.tsx";
import { toViewSearch } from "../search/search.ts";
import { useOrdersSearch } from "../search/use-orders-search.ts";

/** A view's link: whoever opens it sees the view (the id is unguessable). */
export function viewLink(id: string): string {
  return `${location.origin}/?view=${encodeURIComponent(id)}`;
}

/** One line that says what a view shows. */
function summary(search: ViewSearch, format: Format): string {
  const parts: string[] = [];
  if (search.status) parts.push(statusLabel(search.status));
  if (search.priority) parts.push(`${priorityLabel(search.priority)} priority`);
  if (search.dateFrom || search.dateTo)
    parts.push(
      `${search.dateFrom ? format.date(search.dateFrom) : "…"} – ${search.dateTo ? format.date(search.dateTo) : "…"}`,
    );
  if (parts.length === 0) parts.push("All orders");
  if (search.sort) parts.push(`sorted by ${sortLabel(search.sort)}`);
  if (search.cols) parts.push(`${search.cols.length} columns`);
  if (search.density) parts.push("compact");
  if (search.mode) parts.push("infinite scroll");
  return parts.join(" · ");
}

/** Saved views: name the current filters, sort and columns; open, share or delete the ones saved before. */
export function ViewsDialog({ onClose }: { onClose: () => void }) {
  const { search, applyView } = useOrdersSearch();
  const format = useFormat();
  const queryClient = useQueryClient();
  const list = useQuery(trpc.views.list.queryOptions());
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.views.list.queryKey() });
  const save = useMutation(trpc.views.save.mutationOptions({ onSuccess: refresh }));
  const remove = useMutation(trpc.views.delete.mutationOptions({ onSuccess: refresh }));
  const [name, setName] = useState("");
  // Saving empties the name (the Save button then waits for a new one) and deleting removes the row: the
  // focus goes to the name field, not to the page.
  const nameRef = useRef<HTMLInputElement>(null);
  const refocus = () => nameRef.current?.focus();
  const [copied, setCopied] = useState<string | null>(null);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (name.trim())
      save.mutate(
        { name, search: toViewSearch(search) },
        {
          onSuccess: () => {
            setName("");
            refocus();
          },
        },
      );
  }

  async function copy(view: SavedView) {
    try {
      await navigator.clipboard.writeText(viewLink(view.id));
      setCopied(view.id);
    } catch {
      // Without clipboard access the link is still there to copy by hand.
      setCopied(null);
    }
  }

  const views = list.data?.views ?? [];
  const error = save.error ?? remove.error ?? list.error;
  return (
    <Dialog title="Saved views" onClose={onClose}>
      <form className="save-view" onSubmit={submit}>
        <label>
          Name of the current view
          <input
            ref={nameRef}
            value={name}
            onChange={(event) => setName(event.target.value)}
            maxLength={80}
            required
            placeholder="e.g. Urgent orders, biggest first"
          />
        </label>
        <button type="submit" className="primary" disabled={!name.trim() || save.isPending}>
          {save.isPending ? "Saving…" : "Save view"}
        </button>
      </form>
      <p className="muted">
        Saving under a name you already use replaces that view; its link keeps working. Up to{" "}
        {list.data?.max ?? 50} views.
      </p>
      {error ? <ErrorMessage info={describeError(error)} /> : null}
      {list.isPending ? (
        <div className="skeleton skeleton-block" role="status" aria-label="Loading views" />
      ) : null}
      {list.data && views.length === 0 ? <p className="muted">No saved views yet.</p> : null}
      {views.length > 0 ? (
        <ul className="view-list" aria-label="Your views">
          {views.map((view) => (
            <li key={view.id}>
              <div className="view-name">
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    applyView(view.search);
                    onClose();
                  }}
                >
                  {view.name}
                </button>
                <span className="muted">
                  {summary(view.search, format)} · saved {format.dateTime(view.updatedAt)}
                </span>
              </div>
              <span className="view-actions">
                <a href={viewLink(view.id)}>
                  Link<span className="visually-hidden"> to {view.name}</span>
                </a>
                <button type="button" onClick={() => void copy(view)}>
                  {copied === view.id ? "Copied" : "Copy link"}
                  <span className="visually-hidden"> to {view.name}</span>
                </button>
                <button
                  type="button"
                  className="danger"
                  aria-label={`Delete ${view.name}`}
                  disabled={remove.isPending}
                  onClick={() => remove.mutate({ id: view.id }, { onSettled: refocus })}
                >
                  Delete
                </button>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </Dialog>
  );
}
