import { fileURLToPath } from "node:url";

/** Where `vite build` writes the SPA; the API serves this directory in production. */
export const webDistDir = fileURLToPath(new URL("../dist", import.meta.url));
