/**
 * Filters names by fnmatch-style globs (`*`, `?`, `[seq]`, `[!seq]`), as Hydra's glob() does:
 * a name is kept when it matches an include pattern and no exclude pattern.
 */
export function globFilter(
  names: readonly string[],
  include: readonly string[],
  exclude: readonly string[] = []
): string[] {
  const inc = include.map(globRegExp);
  const exc = exclude.map(globRegExp);
  return names.filter((n) => inc.some((r) => r.test(n)) && !exc.some((r) => r.test(n)));
}

export function globRegExp(pattern: string): RegExp {
  let out = "";
  for (let i = 0; i < pattern.length; ++i) {
    const c = pattern[i];
    if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close < 0) {
        out += "\\[";
        continue;
      }
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith("!");
      if (negate) body = body.slice(1);
      out += `[${negate ? "^" : ""}${body.replace(/[\\\]^]/g, "\\$&")}]`;
      i = close;
    } else out += c.replace(/[.+^${}()|\\/]/g, "\\$&");
  }
  return new RegExp(`^${out}$`, "s");
}
