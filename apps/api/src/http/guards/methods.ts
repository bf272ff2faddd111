const READ_ONLY = new Set(["GET", "HEAD", "OPTIONS"]);

/** GET, HEAD and OPTIONS: methods that change nothing and that browsers send without a body. */
export const isReadOnlyMethod = (method: string): boolean => READ_ONLY.has(method);
