import { Dialog } from "./Dialog.tsx";

const SHORTCUTS: readonly { keys: string[]; what: string }[] = [
  { keys: ["?"], what: "Show this list" },
  { keys: ["Esc"], what: "Close a dialog or the order panel" },
  { keys: ["↑", "↓"], what: "Move between orders in the table" },
  { keys: ["Page Up", "Page Down"], what: "Move a screen of orders up or down" },
  { keys: ["Home", "End"], what: "First or last order of the table" },
  { keys: ["Enter"], what: "Open the order in focus" },
  { keys: ["←", "→"], what: "Move between months in the trend chart" },
  { keys: ["Enter"], what: "Show the orders of the month in focus (trend chart)" },
  { keys: ["Tab"], what: "Next control (Shift+Tab: previous); stays inside an open dialog" },
];

/** The keyboard shortcuts, opened with `?`. */
export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose}>
      <dl className="shortcuts">
        {SHORTCUTS.map(({ keys, what }) => (
          <div key={`${keys.join("+")}-${what}`}>
            <dt>
              {keys.map((key, i) => (
                <span key={key}>
                  {i > 0 ? " " : null}
                  <kbd>{key}</kbd>
                </span>
              ))}
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}
