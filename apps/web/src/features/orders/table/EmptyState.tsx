export function EmptyState({ onClear }: { onClear?: () => void }) {
  return (
    <div className="empty-state" role="status">
      <p>No orders match these filters.</p>
      {onClear ? (
        <button type="button" onClick={onClear}>
          Clear filters
        </button>
      ) : null}
    </div>
  );
}
