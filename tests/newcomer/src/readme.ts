/** The commands a new user copies from the README: what the fresh-clone tests run, word for word. */
export interface ReadmeCommands {
  /** The first line of the first shell block: bootstrap, install, start in dev mode. */
  first: string;
  /** `first` without its last step (`pnpm dev`): what makes a clone ready for any other command. */
  setup: string;
  /** Production mode, as the README writes it inline. */
  production: string;
}

/** Reads the commands, or fails naming what drifted, so the tests never run something the README no longer says. */
export function readmeCommands(readme: string): ReadmeCommands {
  const block = /```sh\n([\s\S]*?)```/.exec(readme)?.[1];
  const first = block
    ?.split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .find((line) => line.length > 0);
  if (!first) throw new Error("README: no ```sh block with a first command");
  const devStep = " && pnpm dev";
  if (!first.endsWith(devStep)) {
    throw new Error(
      `README's first command no longer ends with \`pnpm dev\`: ${first} (update tests/newcomer)`,
    );
  }
  const production = /`(pnpm build && pnpm start)`/.exec(readme)?.[1];
  if (!production) {
    throw new Error(
      "README no longer states the production command `pnpm build && pnpm start` (update tests/newcomer)",
    );
  }
  return { first, setup: first.slice(0, -devStep.length), production };
}
