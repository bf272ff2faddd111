// Which module a profile's frame belongs to: for the bundle, the source file esbuild marks with a `// path`
// comment before each module; else the package or the workspace source path.
import fs from "node:fs";

export interface Frame {
  functionName: string;
  url: string;
  lineNumber: number;
}

// Module boundaries of bundled files: esbuild writes `// <path>` before each module's code.
const boundaries = new Map<string, { line: number; name: string }[]>();
export function moduleOf(frame: Frame): string {
  if (!frame.url) return frame.functionName.startsWith("(") ? frame.functionName : "(native)";
  if (frame.url.startsWith("node:")) return frame.url;
  const path = frame.url.replace(/^file:\/\//, "");
  if (!path.endsWith(".mjs") || !fs.existsSync(path)) return shorten(path);
  let marks = boundaries.get(path);
  if (!marks) {
    marks = [];
    fs.readFileSync(path, "utf8")
      .split("\n")
      .forEach((text, line) => {
        const m = /^\/\/ (\S+\.(?:[cm]?js|ts|json))$/.exec(text);
        if (m?.[1]) marks!.push({ line, name: shorten(m[1]) });
      });
    boundaries.set(path, marks);
  }
  let name = shorten(path);
  for (const mark of marks) {
    if (mark.line > frame.lineNumber) break;
    name = mark.name;
  }
  return name;
}

function shorten(p: string): string {
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(p);
  if (pkg?.[1]) return pkg[1];
  const src = /(apps|packages)\/[^/]+\/src\/.*/.exec(p);
  return src ? src[0] : p;
}
