export { type CreateDbOptions, createDb, type Db } from "./create-db.ts";
export * from "./generated/prisma/client.ts";
