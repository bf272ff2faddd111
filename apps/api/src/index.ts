export { type App, type AppDeps, createApp } from "./app.ts";
export type { Context, DataAvailability, Identity } from "./context.ts";
export { createLogger, type Logger, silentLogger } from "./log.ts";
export type * from "./orders/schemas.ts";
export { ORDER_PRIORITIES, ORDER_SORTS, ORDER_STATUSES } from "./orders/schemas.ts";
export { type AppRouter, appRouter, type RouterInputs, type RouterOutputs } from "./router.ts";
export { type RunningServer, type StartServerOptions, startServer } from "./server.ts";
