export {
  isObject,
  type Json,
  type JsonObject,
  readBundle,
  repoRoot,
  resolveTarget,
  variableDefaults,
} from "./bundle.ts";
export { bundleSchemaPath, bundleValidator } from "./bundle-schema.ts";
