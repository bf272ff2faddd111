import type { Order } from "../../../api-types.ts";

const PRIORITIES = ["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"];
const STATUSES = ["F", "O", "P"];

/** Deterministic orders for component tests (the shape is the API's `Order`). */
export function makeOrders(count: number, firstKey = 1): Order[] {
  return Array.from({ length: count }, (_, i) => {
    const key = firstKey + i;
    return {
      orderKey: key,
      custKey: 1000 + (key % 97),
      status: STATUSES[key % 3] ?? "O",
      totalPrice: `${(key * 1234.5).toFixed(2)}`,
      orderDate: `199${key % 8}-0${(key % 9) + 1}-1${key % 10}`,
      priority: PRIORITIES[key % 5] ?? "3-MEDIUM",
      clerk: `Clerk#${String(key % 1000).padStart(9, "0")}`,
      shipPriority: 0,
      comment: `comment for order ${key}`,
    };
  });
}
