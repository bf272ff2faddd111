export function AdminPage() {
  return <h2>Admin console</h2>;
}
