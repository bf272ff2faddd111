// Follows the environment (and everything built from it) from an entry function through the calls that
// pass it on, as a reader would: how many places (functions) and files a reader visits, and how often the
// walk returns to a file already seen (the doubling back that makes start-up hard to read).
// A call is followed when one of its arguments mentions the environment, the configuration (a value whose
// type packages/config declares: AppConfig or one of its parts) or an object that holds it as a property
// (the services), and its callee is a function of this repository with a body. Depth first, in source order;
// every followed call is a place (a function reached again is counted, not read again); a "return" is a
// step into a file already visited from another one.
// Usage: node scripts/follow-config.ts [<file> <function>]   (default: the API's run)  [--places]
import path from "node:path";
import ts from "typescript";

const root = path.resolve(import.meta.dirname, "..");
const args = process.argv.slice(2).filter((a) => !a.startsWith("--"));
const entryFile = path.resolve(root, args[0] ?? "apps/api/src/start/run.ts");
const entryName = args[1] ?? "run";

const program = ts.createProgram([entryFile], {
  target: ts.ScriptTarget.ES2023,
  module: ts.ModuleKind.Preserve,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  allowImportingTsExtensions: true,
  noEmit: true,
  strict: true,
  skipLibCheck: true,
  types: ["node"],
});
const checker = program.getTypeChecker();

type Fn = ts.FunctionLikeDeclaration;
interface Place {
  file: string;
  name: string;
}
const places: Place[] = [];
const visited = new Set<Fn>();

const ours = (sf: ts.SourceFile) =>
  !sf.isDeclarationFile && !sf.fileName.includes("/node_modules/") && sf.fileName.startsWith(root);

function nameOf(fn: Fn): string {
  if (fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
  if (ts.isConstructorDeclaration(fn)) return `${(fn.parent as ts.ClassDeclaration).name?.text ?? "class"}()`;
  const parent = fn.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyAssignment(parent)) return parent.name.getText();
  return "(anonymous)";
}

function symbolOf(node: ts.Node): ts.Symbol | undefined {
  const s = checker.getSymbolAtLocation(node);
  return s && s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
}

const CONFIG_SOURCES = path.join(root, "packages/config/src");
const configTypes = new Map<ts.Type, boolean>();

/** The environment, the configuration or a part of it: a type declared by packages/config. */
function isConfiguration(type: ts.Type): boolean {
  const known = configTypes.get(type);
  if (known !== undefined) return known;
  configTypes.set(type, false);
  const parts = type.isUnion() ? type.types : [type];
  const result = parts.some(
    (t) =>
      isEnvironment(t) ||
      [t.aliasSymbol, t.getSymbol()].some((s) =>
        (s?.declarations ?? []).some((d) => d.getSourceFile().fileName.startsWith(CONFIG_SOURCES)),
      ),
  );
  configTypes.set(type, result);
  return result;
}

/** An environment: a record of strings by name (process.env, Env, one merged with .env files). */
function isEnvironment(type: ts.Type): boolean {
  const values = type.getStringIndexType();
  if (!values || type.getProperties().length > 0) return false;
  const parts = values.isUnion() ? values.types : [values];
  return parts.every((p) => p.flags & (ts.TypeFlags.String | ts.TypeFlags.Undefined));
}

/** What carries the configuration to its readers: the configuration, or an object holding it (AppServices). */
function carriesConfiguration(type: ts.Type): boolean {
  if (isConfiguration(type)) return true;
  const parts = type.isUnion() ? type.types : [type];
  return parts.some((t) =>
    t.getProperties().some((p) => {
      const d = p.valueDeclaration ?? p.declarations?.[0];
      return d !== undefined && isConfiguration(checker.getTypeOfSymbolAtLocation(p, d));
    }),
  );
}

function passesConfiguration(node: ts.Node): boolean {
  if (ts.isIdentifier(node) && carriesConfiguration(checker.getTypeAtLocation(node))) return true;
  return ts.forEachChild(node, (child) => (passesConfiguration(child) ? true : undefined)) ?? false;
}

/** The function a call lands in, when it is one of ours with a body. */
function calleeOf(call: ts.CallExpression | ts.NewExpression): Fn | undefined {
  const s = symbolOf(call.expression);
  for (const d of s?.declarations ?? []) {
    if (!ours(d.getSourceFile())) continue;
    if (ts.isClassDeclaration(d)) {
      const ctor = d.members.find(ts.isConstructorDeclaration);
      if (ctor?.body) return ctor;
      continue;
    }
    if ((ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d)) && d.body) return d;
    if (ts.isVariableDeclaration(d) && d.initializer) {
      const init = d.initializer;
      if ((ts.isArrowFunction(init) || ts.isFunctionExpression(init)) && init.body) return init;
    }
    if (ts.isPropertyAssignment(d)) {
      const init = d.initializer;
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
    }
  }
  return undefined;
}

function visit(fn: Fn): void {
  if (!fn.body) return;
  // A function reached again is a place visited again (the reader goes back to it), not read again.
  places.push({ file: path.relative(root, fn.getSourceFile().fileName), name: nameOf(fn) });
  if (visited.has(fn)) return;
  visited.add(fn);
  const walk = (node: ts.Node): void => {
    if (
      (ts.isCallExpression(node) || ts.isNewExpression(node)) &&
      (node.arguments ?? []).some(passesConfiguration)
    ) {
      // Arguments first (they run first), then the call.
      ts.forEachChild(node, walk);
      const callee = calleeOf(node);
      if (callee) visit(callee);
      return;
    }
    ts.forEachChild(node, walk);
  };
  walk(fn.body);
}

const entry = program.getSourceFile(entryFile);
if (!entry) throw new Error(`cannot read ${entryFile}`);
let start: Fn | undefined;
const find = (node: ts.Node): void => {
  if (ts.isFunctionDeclaration(node) && node.name?.text === entryName) start = node;
  ts.forEachChild(node, find);
};
find(entry);
if (!start) throw new Error(`no function ${entryName} in ${entryFile}`);
visit(start);

const seen = new Set<string>();
let returns = 0;
let previous: string | undefined;
for (const p of places) {
  if (p.file !== previous && seen.has(p.file)) returns++;
  seen.add(p.file);
  previous = p.file;
}
if (process.argv.includes("--places")) {
  for (const p of places) process.stdout.write(`${p.file}  ${p.name}\n`);
}
process.stdout.write(
  `${path.relative(root, entryFile)} ${entryName}: ${places.length} places in ${seen.size} files, ${returns} returns to a file already visited\n`,
);
