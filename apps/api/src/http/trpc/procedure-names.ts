/**
 * The procedure names a request to `/api/trpc/` asks for, decoded as tRPC decodes them (a batch's names are
 * comma-separated, the comma written as is or as %2C): undefined for another path or a malformed escape.
 * Takes the raw (still encoded) path, as tRPC does.
 */
export function trpcProcedureNames(rawPathname: string): string[] | undefined {
  const prefix = "/api/trpc/";
  if (!rawPathname.startsWith(prefix)) return undefined;
  try {
    const names = rawPathname.slice(prefix.length);
    // Most paths have nothing to decode (every request's log line asks): no decoder run for them.
    return (names.includes("%") ? decodeURIComponent(names) : names).split(",").filter(Boolean);
  } catch {
    return undefined;
  }
}
