import {statSync, type Stats} from "node:fs";

/**
 * A file's size, mtime, change time and inode as one string: any write to a file changes it —
 * also one that puts the old mtime back (`touch -d`), since that sets the change time, which no
 * user call can set. The store trusts it for a verified entry, a run's receipt for every input,
 * a loader for its inputs.
 */
export function statStamp(info: Pick<Stats, "size" | "mtimeMs" | "ctimeMs" | "ino">): string {
  return `${info.size}:${info.mtimeMs}:${info.ctimeMs}:${info.ino}`;
}

/** {@link statStamp} of the file at `path`, or "absent" when there is none. */
export function fileStamp(path: string): string {
  try {
    return statStamp(statSync(path));
  } catch {
    return "absent";
  }
}
