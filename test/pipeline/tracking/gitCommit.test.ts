import {execFileSync} from "node:child_process";
import {mkdirSync, mkdtempSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {describe, expect, it} from "vitest";
import {gitCommit} from "../../../src/pipeline/tracking/gitCommit.ts";

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@t",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@t"
    }
  }).trim();

describe("gitCommit reads HEAD as `git rev-parse HEAD` does", () => {
  it("follows a loose branch ref, a packed one and a detached HEAD, from a subfolder", () => {
    const repo = mkdtempSync(join(tmpdir(), "mlbook-git-"));
    git(repo, "init", "-q", "-b", "main");
    writeFileSync(join(repo, "a.txt"), "1");
    git(repo, "add", ".");
    git(repo, "commit", "-qm", "one");
    mkdirSync(join(repo, "sub"));
    expect(gitCommit(join(repo, "sub"))).toBe(git(repo, "rev-parse", "HEAD"));
    git(repo, "pack-refs", "--all");
    expect(gitCommit(repo)).toBe(git(repo, "rev-parse", "HEAD"));
    writeFileSync(join(repo, "a.txt"), "2");
    git(repo, "commit", "-qam", "two");
    const second = git(repo, "rev-parse", "HEAD");
    expect(gitCommit(repo)).toBe(second);
    git(repo, "checkout", "-q", "HEAD~1");
    expect(gitCommit(repo)).toBe(git(repo, "rev-parse", "HEAD"));
    expect(gitCommit(repo)).not.toBe(second);
  });

  it("is null outside a repository and for a branch without commits", () => {
    expect(gitCommit(mkdtempSync(join(tmpdir(), "mlbook-nogit-")))).toBeNull();
    const empty = mkdtempSync(join(tmpdir(), "mlbook-git-"));
    git(empty, "init", "-q");
    expect(gitCommit(empty)).toBeNull();
  });
});
