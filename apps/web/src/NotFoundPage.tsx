import { Link, useLocation } from "@tanstack/react-router";

/** Any URL the app has no page for: says so, and leads back to the orders. */
export function NotFoundPage() {
  const { pathname } = useLocation();
  return (
    <section className="card not-found" aria-labelledby="not-found-title">
      <h2 id="not-found-title" className="page-title">
        Page not found
      </h2>
      <p>
        There is no page at <code>{pathname}</code> in Lakebase Orders. The link may be mistyped or out of
        date.
      </p>
      <p>
        <Link to="/">Go to the orders</Link>
      </p>
    </section>
  );
}
