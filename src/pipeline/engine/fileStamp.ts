import {statSync, type Stats} from "node:fs";

/**
 * A file's size, mtime and inode as one string: any write to a file changes it. The store trusts
 * it for a verified entry, a run's receipt for every input, a loader for its inputs.
 */
export function statStamp(info: Pick<Stats, "size" | "mtimeMs" | "ino">): string {
  return `${info.size}:${info.mtimeMs}:${info.ino}`;
}

/** {@link statStamp} of the file at `path`, or "absent" when there is none. */
export function fileStamp(path: string): string {
  try {
    return statStamp(statSync(path));
  } catch {
    return "absent";
  }
}
