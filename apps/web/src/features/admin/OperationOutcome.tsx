import type { LakebaseStatus } from "../../api-types.ts";

type Outcome = NonNullable<LakebaseStatus["operation"]>["outcome"];

/**
 * An operation's outcome, told apart three ways: the word, a sign, and the colour (amber, green, red; each
 * pair of text and background at least 4.5:1, in the light and the dark theme). "In progress", not "Running":
 * an AVAILABLE instance already reads "Running" on the same page.
 */
const LOOKS: Record<Outcome, { label: string; sign: string; tone: "busy" | "ok" | "bad" }> = {
  running: { label: "In progress", sign: "…", tone: "busy" },
  succeeded: { label: "Succeeded", sign: "✓", tone: "ok" },
  failed: { label: "Failed", sign: "✕", tone: "bad" },
};

export function OperationOutcome({ outcome }: { outcome: Outcome }) {
  const look = LOOKS[outcome];
  return (
    <span className={`badge badge-${look.tone} operation-outcome`} data-outcome={outcome}>
      <span aria-hidden="true">{look.sign}</span> {look.label}
    </span>
  );
}
