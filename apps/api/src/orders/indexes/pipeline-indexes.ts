import { tableName } from "@lakebase-orders/config";
import { indexColumns, indexName, ORDER_INDEXES } from "./indexes.ts";

/** One of `spec.extra_index_definitions` of a synced table (both Lakebase APIs). */
export interface PipelineIndex {
  name: string;
  /** What follows `CREATE INDEX <name> ON <table>`. */
  definition: string;
  creation_point: "CREATION_POINT_AFTER_DATA_LOAD";
}

/**
 * The sorts' indexes as the synced table's pipeline builds them: `spec.extra_index_definitions`, given when
 * the synced table is created (synced tables have no update call). The pipeline builds them as the table's
 * owner after the initial load and keeps them across its refreshes, so an app that may not index the table
 * (its service principal did not create it) still gets them; the app then finds them (same columns) and
 * uses them. `syncedTable` is the Unity Catalog name, `catalog.schema.table`.
 */
export function pipelineIndexes(syncedTable: string): PipelineIndex[] {
  const table = tableName(syncedTable);
  return ORDER_INDEXES.map((index) => ({
    name: indexName(table, index.suffix),
    definition: indexColumns(index),
    creation_point: "CREATION_POINT_AFTER_DATA_LOAD",
  }));
}

/** What a create adds to the synced table's spec (a field the JS SDK's types do not know yet). */
export interface PipelineIndexSpec {
  extra_index_definitions?: PipelineIndex[];
}

/**
 * Creates a synced table asking its pipeline for the sorts' indexes; where the service refuses the field
 * (400: a workspace without it, an older API), creates it again without, and the app falls back to what it
 * can do itself (sort-keys.ts). `create` gets the extra spec fields to spread into its spec.
 */
export async function createWithPipelineIndexes<T>(
  syncedTable: string,
  create: (extra: PipelineIndexSpec) => Promise<T>,
  onRefused?: (error: unknown) => void,
): Promise<T> {
  try {
    return await create({ extra_index_definitions: pipelineIndexes(syncedTable) });
  } catch (error) {
    if (!isBadRequest(error)) throw error;
    onRefused?.(error);
    // A 400 that has nothing to do with the indexes comes back from this call too, and is the answer.
    return create({});
  }
}

function isBadRequest(error: unknown): boolean {
  const e = error as { statusCode?: number; errorCode?: string } | null;
  return (
    e?.statusCode === 400 ||
    e?.errorCode === "INVALID_PARAMETER_VALUE" ||
    e?.errorCode === "BAD_REQUEST" ||
    e?.errorCode === "MALFORMED_REQUEST"
  );
}
