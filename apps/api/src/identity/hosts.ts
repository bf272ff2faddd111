// Which names a request may use for this server (its Host header) outside Databricks Apps: the loopback
// names, and those configured (ALLOWED_HOSTS). A page on attacker.example whose name an attacker rebinds to
// 127.0.0.1 reaches the server with `Host: attacker.example`, so a Host check is what DNS rebinding cannot
// pass: the browser always sends the name of the page's own site.

/** The name and port of a Host header value (`name`, `name:port`, `[v6]`, `[v6]:port`), lower-cased. */
export function splitHost(host: string): { name: string; port: string | null } | null {
  const h = host.trim().toLowerCase();
  if (h === "" || h.length > 300) return null;
  if (h.startsWith("[")) {
    const end = h.indexOf("]");
    if (end < 0) return null;
    const rest = h.slice(end + 1);
    if (rest !== "" && !/^:\d{1,5}$/.test(rest)) return null;
    return { name: h.slice(0, end + 1), port: rest === "" ? null : rest.slice(1) };
  }
  const colon = h.lastIndexOf(":");
  if (colon < 0) return { name: h, port: null };
  const port = h.slice(colon + 1);
  if (!/^\d{1,5}$/.test(port)) return null;
  return { name: h.slice(0, colon), port };
}

/** localhost, a name under .localhost (RFC 6761: browsers resolve them to loopback themselves), 127.x.y.z, [::1]. */
export function isLoopbackName(name: string): boolean {
  if (name === "localhost" || name.endsWith(".localhost") || name === "[::1]") return true;
  const parts = name.split(".");
  return (
    parts.length === 4 && parts[0] === "127" && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) < 256)
  );
}

/**
 * Whether a Host header names this server: a loopback name (any port), or an entry of `allowed` (`name`:
 * any port; `name:port`: that port only).
 */
export function isAllowedHost(host: string | null | undefined, allowed: readonly string[]): boolean {
  if (!host) return false;
  const parts = splitHost(host);
  if (!parts) return false;
  if (isLoopbackName(parts.name)) return true;
  const full = parts.port === null ? parts.name : `${parts.name}:${parts.port}`;
  return allowed.some((entry) => entry === parts.name || entry === full);
}
