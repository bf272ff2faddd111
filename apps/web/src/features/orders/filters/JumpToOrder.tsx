import { type FormEvent, useState } from "react";
import { useOrdersSearch } from "../search/use-orders-search.ts";

/** Opens an order by its key (the detail panel says so when there is no such order). */
export function JumpToOrder() {
  const { openOrder } = useOrdersSearch();
  const [jumpKey, setJumpKey] = useState("");

  function submit(event: FormEvent) {
    event.preventDefault();
    const key = Number(jumpKey);
    if (Number.isSafeInteger(key) && key >= 1) openOrder(key);
  }

  return (
    <form className="jump" onSubmit={submit} aria-label="Jump to order">
      <label>
        Order key
        <input
          type="number"
          inputMode="numeric"
          min={1}
          step={1}
          value={jumpKey}
          onChange={(event) => setJumpKey(event.target.value)}
          // Key 1 exists in every TPC-H scale (keys run from 1 with gaps).
          placeholder="e.g. 1"
        />
      </label>
      <button type="submit" disabled={!jumpKey}>
        Open
      </button>
    </form>
  );
}
