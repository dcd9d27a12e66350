import {spawnSync} from "node:child_process";
import {existsSync, readFileSync, statSync} from "node:fs";
import {dirname, join, resolve} from "node:path";

/**
 * HEAD of the git repository holding `dir`, or null outside one (or without git). Read from
 * .git directly when it is a plain repository (a loose or packed branch ref, or a detached HEAD):
 * starting `git` costs more than a fresh run's every other check. Anything else asks git.
 */
export function gitCommit(dir: string): string | null {
  try {
    const direct = readHead(dir);
    if (direct !== undefined) return direct;
  } catch {
    // fall through to git itself
  }
  const result = spawnSync("git", ["rev-parse", "HEAD"], {cwd: dir, encoding: "utf8", timeout: 5000});
  return result.status === 0 ? result.stdout.trim() || null : null;
}

const sha = /^[0-9a-f]{40}$/;

/** The commit HEAD names, null outside a repository, undefined when only git can tell. */
function readHead(start: string): string | null | undefined {
  let dir = resolve(start);
  for (;;) {
    const git = join(dir, ".git");
    if (existsSync(git)) {
      if (!statSync(git).isDirectory()) return undefined; // a worktree or submodule: ask git
      const head = readFileSync(join(git, "HEAD"), "utf8").trim();
      if (sha.test(head)) return head;
      const ref = /^ref: (refs\/[^\s]+)$/.exec(head)?.[1];
      if (!ref) return undefined;
      const loose = join(git, ref);
      if (existsSync(loose)) {
        const value = readFileSync(loose, "utf8").trim();
        return sha.test(value) ? value : undefined;
      }
      const packed = existsSync(join(git, "packed-refs"))
        ? readFileSync(join(git, "packed-refs"), "utf8")
        : "";
      const line = packed.split("\n").find((l) => l.endsWith(` ${ref}`));
      // A branch with no commit yet: git rev-parse fails too.
      return line ? line.slice(0, 40) : undefined;
    }
    const parent = dirname(dir);
    if (parent === dir) return process.env.GIT_DIR ? undefined : null;
    dir = parent;
  }
}
