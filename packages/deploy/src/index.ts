export {
  isObject,
  type Json,
  type JsonObject,
  readBundle,
  repoRoot,
  resolveTarget,
  variableDefaults,
} from "./bundle.ts";
export { type BundleApiOptions, bundleApi, RUNTIME_PACKAGES } from "./bundle-api.ts";
export { bundleSchemaPath, bundleValidator } from "./bundle-schema.ts";
