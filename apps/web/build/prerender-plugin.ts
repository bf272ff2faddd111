// Vite build step: renders the app's first paint (header, filters, table frame, skeletons) into the HTML of
// each route and inlines the stylesheet, so the first response paints the page without waiting for the
// JavaScript or the API. The browser then renders the app over it in one commit (no hydration: the URL's
// search params may differ from the prerendered defaults).
import react from "@vitejs/plugin-react";
import { type Plugin, runnerImport } from "vite";

export interface PrerenderOptions {
  /** Project root (where index.html is). */
  root: string;
  /**
   * Module exporting `PRERENDER_ROUTES` (URL -> HTML file; `index.html` is the SPA fallback for every other
   * URL) and `pages` (URL -> the app's markup for it, rendered while the module loads).
   */
  entry: string;
}

interface PrerenderModule {
  PRERENDER_ROUTES: Record<string, string>;
  pages: Record<string, string>;
}

const ROOT_ELEMENT = '<div id="root"></div>';
const ENTRY_SCRIPT = /<script type="module" crossorigin src="([^"]+)"><\/script>\s*/;

/**
 * The entry is imported once the prerendered shell has painted (the frame after parsing), so the shell
 * never waits for the JavaScript, even where the script would arrive first (a fast link, a warm cache).
 * A hidden tab paints nothing: there it loads at once.
 */
function deferredBoot(src: string): string {
  const url = JSON.stringify(src);
  return `<script type="module">let s=0;const go=()=>s||(s=1,import(${url}));document.hidden?go():(requestAnimationFrame(()=>setTimeout(go)),addEventListener("visibilitychange",go,{once:true}))</script>`;
}

export function prerenderPlugin(options: PrerenderOptions): Plugin {
  return {
    name: "lakebase-orders:prerender",
    apply: "build",
    enforce: "post",
    async generateBundle(_output, bundle) {
      const index = bundle["index.html"];
      if (index?.type !== "asset") this.error("index.html is not in the bundle");
      let html = String(index.source);
      if (!html.includes(ROOT_ELEMENT)) this.error(`index.html has no ${ROOT_ELEMENT}`);

      // The stylesheet is small (about 3 KB compressed): inline, it saves a render-blocking round trip.
      html = html.replace(
        /<link rel="stylesheet"[^>]*href="\/(assets\/[^"]+\.css)"[^>]*>/g,
        (tag, file: string) => {
          const css = bundle[file];
          if (css?.type !== "asset") return tag;
          delete bundle[file];
          return `<style>${String(css.source).trim()}</style>`;
        },
      );

      const entry = ENTRY_SCRIPT.exec(html);
      if (!entry?.[1]) this.error("index.html has no module entry script");
      html = html.replace(ENTRY_SCRIPT, "").replace("</body>", `${deferredBoot(entry[1])}\n  </body>`);

      const { module } = await runnerImport<PrerenderModule>(options.entry, {
        configFile: false,
        root: options.root,
        logLevel: "error",
        plugins: [react()],
      });
      for (const [url, fileName] of Object.entries(module.PRERENDER_ROUTES)) {
        const markup = module.pages[url];
        if (markup === undefined) this.error(`no prerendered markup for ${url}`);
        const page = html.replace(ROOT_ELEMENT, `<div id="root">${markup}</div>`);
        if (fileName === "index.html") index.source = page;
        else this.emitFile({ type: "asset", fileName, source: page });
      }
    },
  };
}
