import { z } from "zod";
import { isSourceColumn, SOURCE_TABLE } from "./source/columns.ts";
import type { IndexDefinition, SchedulingPolicy } from "./sync-state.ts";

export const schedulingPolicySchema = z.enum(["SNAPSHOT", "TRIGGERED", "CONTINUOUS"]);

/**
 * `spec.extra_index_definitions[]` of both APIs' synced table spec: indexes the pipeline builds after the
 * data load. `definition` is what follows `ON <table>` in CREATE INDEX; it runs as the table's writer role
 * in one extended-protocol statement (no second statement can ride along).
 */
export const indexDefinitionSchema = z.looseObject({
  name: z
    .string()
    .min(1, "extra_index_definitions[].name is required")
    .max(63, "extra_index_definitions[].name must be at most 63 characters"),
  definition: z
    .string()
    .min(1, "extra_index_definitions[].definition is required")
    .max(2000, "extra_index_definitions[].definition must be at most 2000 characters"),
  creation_point: z.enum(["CREATION_POINT_AFTER_DATA_LOAD"]).optional(),
});
export const extraIndexDefinitionsSchema = z.array(indexDefinitionSchema).max(32);

/** The part of a synced table's spec the pipelines act on, the same in both APIs. */
export interface SyncSpec {
  source_table_full_name: string;
  primary_key_columns: string[];
  scheduling_policy: SchedulingPolicy;
  timeseries_key?: string | undefined;
  extra_index_definitions?: IndexDefinition[] | undefined;
}

/** What is wrong with a spec, for the flavour to answer with its own error codes. */
export interface SpecProblem {
  kind: "not_found" | "invalid";
  message: string;
}

export function checkSyncSpec(spec: SyncSpec): SpecProblem | undefined {
  if (spec.source_table_full_name.toLowerCase() !== SOURCE_TABLE) {
    return {
      kind: "not_found",
      message: `Table '${spec.source_table_full_name}' does not exist (the one known source is ${SOURCE_TABLE}).`,
    };
  }
  for (const column of spec.primary_key_columns) {
    if (!isSourceColumn(column)) {
      return {
        kind: "invalid",
        message: `Primary key column '${column}' does not exist in ${SOURCE_TABLE}.`,
      };
    }
  }
  if (spec.timeseries_key !== undefined && !isSourceColumn(spec.timeseries_key)) {
    return {
      kind: "invalid",
      message: `Timeseries key '${spec.timeseries_key}' does not exist in ${SOURCE_TABLE}.`,
    };
  }
  const names = new Set<string>();
  for (const index of spec.extra_index_definitions ?? []) {
    if (names.has(index.name)) {
      return { kind: "invalid", message: `extra_index_definitions names '${index.name}' twice.` };
    }
    names.add(index.name);
  }
  return undefined;
}
