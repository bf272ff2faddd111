import path from "node:path";
import { build } from "esbuild";

/**
 * Kept as packages in dist/app/node_modules rather than bundled: Prisma's runtime loads its WebAssembly query
 * compiler by package path; pg must be the single copy Prisma sees; /api/docs serves swagger-ui-dist's files
 * from the package; the OTLP gRPC exporter loads @grpc/grpc-js with a require() that esbuild cannot follow.
 */
export const RUNTIME_PACKAGES = [
  "@prisma/client",
  "@prisma/adapter-pg",
  "pg",
  "@databricks/sdk-experimental",
  "swagger-ui-dist",
  "@grpc/grpc-js",
];

export interface BundleApiOptions {
  /** Where `server.mjs` and its `chunks/` go. */
  outDir: string;
  /** Packages left as imports, resolved at run time beside the bundle (default RUNTIME_PACKAGES). */
  external?: readonly string[];
}

/**
 * The API as it is deployed: the production entry (app-entry.ts, `run` without .env files) bundled with
 * esbuild into `server.mjs`, workspace packages, Hono, tRPC and zod inlined. The one builder of the API:
 * `pnpm build` (build-app.ts) and the benches use it.
 */
export async function bundleApi(options: BundleApiOptions): Promise<void> {
  const external = options.external ?? RUNTIME_PACKAGES;
  await build({
    entryPoints: { server: path.join(import.meta.dirname, "app-entry.ts") },
    outdir: options.outDir,
    outExtension: { ".js": ".mjs" },
    // Dynamic imports become chunks loaded when first imported: an external package imported by an
    // inlined module would otherwise be imported at start-up, whether it is used or not.
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    external: external.flatMap((name) => [name, `${name}/*`]),
    // Bundled CommonJS dependencies call require(); give them one in the ESM output.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    sourcemap: "linked",
    legalComments: "linked",
    logLevel: "warning",
  });
}
