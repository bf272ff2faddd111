/**
 * The procedure names a request to `/api/trpc/` asks for, decoded as tRPC decodes them (a batch's names are
 * comma-separated, the comma written as is or as %2C): undefined for another path or a malformed escape.
 * Takes the raw (still encoded) path, as tRPC does.
 */
export function trpcProcedureNames(rawPathname: string): string[] | undefined {
  const prefix = "/api/trpc/";
  if (!rawPathname.startsWith(prefix)) return undefined;
  try {
    return decodeURIComponent(rawPathname.slice(prefix.length)).split(",").filter(Boolean);
  } catch {
    return undefined;
  }
}
