// The API's test kits: what its tests, the bench and the deploy rehearsal start, probe and check it with.
// Not shipped: the bundle is built from src/ (the `./run` export), never from here.
export { type ApiProcess, startApiProcess } from "./api-process.ts";
export * from "./hostile-inputs.ts";
export * from "./hostile-runner.ts";
export * from "./lakebase-harness.ts";
export * from "./local-workspace.ts";
export * from "./orders-fixture.ts";
export * from "./otlp-receiver.ts";
export * from "./pg-proxy.ts";
export * from "./raw-upload.ts";
export * from "./recording-proxy.ts";
export * from "./security-probes.ts";
export * from "./test-server.ts";
