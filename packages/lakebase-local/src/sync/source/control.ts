import { type CommitResult, type SourceChangeRequest, sourceChangeSchema } from "./changes.ts";
import type { Source } from "./source.ts";

type Without<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;
type ChangeOf<Op extends SourceChangeRequest["op"]> = Without<Extract<SourceChangeRequest, { op: Op }>, "op">;

/** The test helper `local.source`: each call is one source commit (a new version), as the REST hook does. */
export interface SourceControl {
  /** `{count, set?}` new orders after the last key, or `{rows}` complete rows with new keys. */
  insert(change: ChangeOf<"insert">): Promise<CommitResult>;
  /** `{keys | keyRange, set}`: the rows among them that exist. */
  update(change: ChangeOf<"update">): Promise<CommitResult>;
  /** `{keys | keyRange}`: the rows among them that exist. */
  delete(change: ChangeOf<"delete">): Promise<CommitResult>;
  apply(change: SourceChangeRequest): Promise<CommitResult>;
  /** The current version and when it was committed. */
  head(): Promise<{ version: number; committed_at: string }>;
}

export function sourceControl(source: Source): SourceControl {
  const apply = (change: SourceChangeRequest) => source.apply(sourceChangeSchema.parse(change));
  return {
    insert: (change) => apply({ op: "insert", ...change }),
    update: (change) => apply({ op: "update", ...change }),
    delete: (change) => apply({ op: "delete", ...change }),
    apply,
    head: async () => {
      const head = await source.head();
      return { version: head.version, committed_at: head.committed_at };
    },
  };
}
