import { startLocalPostgres } from "@lakebase-orders/pg-local";

const pgs = await startLocalPostgres({ dataDir: process.argv[2]!, fast: true });
console.log(pgs.url("orders_bench"));
process.on("SIGTERM", async () => {
  await pgs.stop();
  process.exit(0);
});
setInterval(() => {}, 1 << 30);
