/**
 * Splits a SQL script into its statements at top-level semicolons, leaving quoted strings, quoted
 * identifiers, dollar-quoted bodies and comments whole. Needed where statements must be sent one by one:
 * PostgreSQL runs a multi-statement query string as one implicit transaction, in which
 * `CREATE INDEX CONCURRENTLY` is refused.
 */
export function splitStatements(script: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let i = 0;
  const n = script.length;
  const push = (end: number) => {
    const text = script.slice(start, end).trim();
    if (stripComments(text).trim()) statements.push(text);
    start = end + 1;
  };
  while (i < n) {
    const c = script[i];
    const next = script[i + 1];
    if (c === "-" && next === "-") {
      const eol = script.indexOf("\n", i);
      i = eol < 0 ? n : eol + 1;
    } else if (c === "/" && next === "*") {
      const end = script.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === "'" || c === '"') {
      // A doubled quote inside is an escaped quote: the scan simply closes and reopens.
      const end = script.indexOf(c, i + 1);
      i = end < 0 ? n : end + 1;
    } else if (c === "$") {
      const tag = /^\$[A-Za-z_]*\$/.exec(script.slice(i))?.[0];
      if (tag) {
        const end = script.indexOf(tag, i + tag.length);
        i = end < 0 ? n : end + tag.length;
      } else {
        i++;
      }
    } else if (c === ";") {
      push(i);
      i++;
    } else {
      i++;
    }
  }
  push(n);
  return statements;
}

function stripComments(text: string): string {
  return text.replace(/--[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "");
}
