import type { SortKeysStatus } from "./indexes/sort-keys.ts";
import type { UserReader } from "./reads/as-user.ts";
import type { CopyOutOptions } from "./reads/copy-out.ts";
import type { CsvQuery } from "./reads/csv-statement.ts";
import type { MonthCell } from "./rollup/rollup.ts";
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
import type { WriteToken } from "./writes/write-token.ts";

export interface Actor {
  actor: string;
  requestId: string;
}

export interface ReadOptions {
  /** Read from the primary: the caller has just written and must see it (a replica may lag). */
  fromPrimary?: boolean;
  /**
   * Read as this signed-in user, on their own connection (ORDERS_READ_AS_USER=on): PostgreSQL's grants and
   * row-level security decide the rows, and nothing computed from the whole table (the rollup, shared
   * caches) answers for them.
   */
  asUser?: UserReader;
}

/** Everything the orders procedures and the export need from the database. Throws domain errors (not found, conflict, ...). */
export interface OrdersStore {
  list(input: ListInput, options?: ReadOptions): Promise<ListOutput>;
  stream(input: StreamInput, options?: ReadOptions): Promise<StreamOutput>;
  byKey(orderKey: number, options?: ReadOptions): Promise<Order>;
  count(filters: OrderFilters, options?: ReadOptions): Promise<CountOutput>;
  stats(filters: OrderFilters, options?: ReadOptions): Promise<StatsOutput>;
  /** The change, and the token its writer presents to read it back anywhere (writes/write-token.ts). */
  updateStatus(input: UpdateStatusInput, by: Actor): Promise<{ update: StatusUpdate; token: WriteToken }>;
  history(orderKey: number, options?: ReadOptions): Promise<HistoryOutput>;
  /**
   * Every order the filters match, in the sort's order, as CSV streamed from PostgreSQL's COPY on the same
   * read path as the rest (memory stays flat whatever the size: PostgreSQL sends as fast as the reader reads).
   */
  csv(query: CsvQuery, copy: CopyOutOptions, options?: ReadOptions): Promise<ReadableStream<Uint8Array>>;
  /**
   * Orders and revenue per month, overlaid status and priority, from the rollup (no SQL); undefined before a
   * rollup exists. `asOf` and `stale` as for counts.
   */
  months(): Promise<{ cells: readonly MonthCell[]; asOf: Date; stale: boolean } | undefined>;
  /** Where the sorts find their keys now, and why (the synced table's indexes, the projection, a scan). */
  sortKeys(): SortKeysStatus;
  /** Settles once the first look at the synced table is done (its rollup loaded, when there is one). */
  ready(): Promise<void>;
  /** Stops background work (the rollup's checks). */
  close(): void;
}
