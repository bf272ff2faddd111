import { VARIABLES } from "./variables/catalogue.ts";
import type { VariableGroup } from "./variables/declare.ts";

const GROUP_TITLES: Record<VariableGroup, string> = {
  server: "Server",
  identity: "Identity and admins",
  databricks: "Databricks workspace (the SDK's standard variables)",
  lakebase: "Lakebase resources",
  connection: "PostgreSQL connection",
  database: "Pool and migrations",
  telemetry: "Telemetry (OpenTelemetry's standard variables)",
};

export const TABLE_START = "<!-- config-table:start (generated from packages/config/src/variables.ts) -->";
export const TABLE_END = "<!-- config-table:end -->";

/** The README's variable tables, one per group, rendered from the variable list. */
export function renderVariableTables(): string {
  const out: string[] = [];
  for (const [group, title] of Object.entries(GROUP_TITLES)) {
    const rows = Object.entries(VARIABLES).filter(([, v]) => v.group === group);
    if (rows.length === 0) continue;
    out.push(`**${title}**`, "", "| variable | default | what it does |", "| --- | --- | --- |");
    for (const [name, v] of rows) {
      out.push(`| \`${name}\` | ${v.default ? cell(v.default) : "-"} | ${cell(v.doc)} |`);
    }
    out.push("");
  }
  return out.join("\n").trimEnd();
}

/** Replaces the generated block between the markers of a README text. */
export function withVariableTables(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`the README has no ${TABLE_START} ... ${TABLE_END} block`);
  return `${readme.slice(0, start + TABLE_START.length)}\n\n${renderVariableTables()}\n\n${readme.slice(end)}`;
}

function cell(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
