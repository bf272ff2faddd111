import { defineConfig } from "prisma/config";

// process.env, not env(): env() throws when the variable is unset, which would break offline `generate`.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/placeholder" },
  experimental: { externalTables: true },
  tables: { external: ["public.orders_synced"] },
});
