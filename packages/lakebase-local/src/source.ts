/** The one source table the local pipelines can sync, and its columns in Delta order. */
export const SOURCE_TABLE = "samples.tpch.orders";
export const SOURCE_COLUMNS = [
  "o_orderkey",
  "o_custkey",
  "o_orderstatus",
  "o_totalprice",
  "o_orderdate",
  "o_orderpriority",
  "o_clerk",
  "o_shippriority",
  "o_comment",
] as const;
