export { type BranchAppArgs, parseBranchAppArgs } from "./args.ts";
export { type BranchAppDeps, runBranchApp } from "./branch-app.ts";
