import type {
  CountOutput,
  HistoryOutput,
  ListInput,
  ListOutput,
  Order,
  OrderFilters,
  StatsOutput,
  StatusUpdate,
  StreamInput,
  StreamOutput,
  UpdateStatusInput,
} from "./schemas.ts";

export interface Actor {
  actor: string;
  requestId: string;
}

/** Everything the `orders` router needs from the database. Throws TRPCErrors for NOT_FOUND/CONFLICT. */
export interface OrdersStore {
  list(input: ListInput): Promise<ListOutput>;
  stream(input: StreamInput): Promise<StreamOutput>;
  byKey(orderKey: number): Promise<Order>;
  count(filters: OrderFilters): Promise<CountOutput>;
  stats(filters: OrderFilters): Promise<StatsOutput>;
  updateStatus(input: UpdateStatusInput, by: Actor): Promise<StatusUpdate>;
  history(orderKey: number): Promise<HistoryOutput>;
}
