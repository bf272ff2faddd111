import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { describeError } from "../../../errors.ts";
import { trpc } from "../../../trpc.ts";
import { useOrdersSearch } from "../search/use-orders-search.ts";

/**
 * Opens a shared view's link (`/?view=<id>`): its filters, sort and columns replace the link in the URL, and
 * a line says whose view it is. A link that no longer works says so and leaves the screen as it was.
 */
export function SharedViewNotice() {
  const { search, openSharedView, forgetViewLink } = useOrdersSearch();
  const id = search.view;
  const view = useQuery({
    ...trpc.views.get.queryOptions({ id: id ?? "" }),
    enabled: Boolean(id),
    retry: false,
  });
  const [notice, setNotice] = useState("");

  useEffect(() => {
    if (!id) return;
    if (view.data && view.data.id === id) {
      const { name, owner, mine } = view.data;
      setNotice(`Opened the view “${name}”${mine ? "" : `, shared by ${owner}`}`);
      openSharedView(view.data.search);
    } else if (view.error) {
      setNotice(`This view link could not be opened: ${describeError(view.error).message}`);
      forgetViewLink();
    }
  }, [id, view.data, view.error, openSharedView, forgetViewLink]);

  return (
    <p className="muted toolbar-notice" role="status">
      {id && !view.error ? "Opening the shared view…" : notice}
    </p>
  );
}
