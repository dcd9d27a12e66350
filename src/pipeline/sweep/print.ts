import {
  typePrimitive,
  type Element,
  type OverrideValue,
  type ParsedOverride
} from "../engine/overrideGrammar.ts";

/**
 * Prints an override back as text that parses to the same override; the form is canonical
 * (no spaces, strings bare unless they need quotes), so printing is also how jobs are named.
 */
export function printOverride(o: ParsedOverride): string {
  const prefix = {change: "", add: "+", forceAdd: "++", delete: "~"}[o.kind];
  return o.value === null ? `${prefix}${o.key}` : `${prefix}${o.key}=${printValue(o.value)}`;
}

export function printValue(value: OverrideValue): string {
  switch (value.type) {
    case "element":
      return printElement(value.value);
    case "choice":
      return value.simple
        ? value.values.map(printElement).join(",")
        : `choice(${value.values.map(printElement).join(",")})`;
    case "range":
      return `range(${[value.start, value.stop, ...(value.step === null ? [] : [value.step])].map(printNumber).join(",")})`;
    case "glob": {
      const patterns = (list: string[]) => (list.length === 1 ? printElement(list[0]) : printElement(list));
      return `glob(${patterns(value.include)}${value.exclude.length ? `,exclude=${patterns(value.exclude)}` : ""})`;
    }
  }
}

export function printElement(value: Element): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") return printNumber(value);
  if (typeof value === "string") return bare(value) ? value : quote(value);
  if (Array.isArray(value)) return `[${value.map(printElement).join(",")}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${printKey(k)}:${printElement(v)}`)
    .join(",")}}`;
}

export function printNumber(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  if (Object.is(n, -0)) return "-0.0";
  return String(n);
}

const needsQuotes = /[\\()[\]{}:=,'"\t\n\r]/;

/** A string prints bare when it reads back as the same string. */
function bare(s: string): boolean {
  return s !== "" && s === s.trim() && !needsQuotes.test(s) && typePrimitive(s) === s;
}

/** Double quotes, escaping as Hydra does: backslash runs before a quote (or the end) are doubled. */
function quote(s: string): string {
  const text = s.replace(
    /(\\*)("|$)/g,
    (_, slashes: string, q: string) => `${slashes}${slashes}${q ? `\\${q}` : ""}`
  );
  return `"${text}"`;
}

/** Dict keys cannot be quoted in Hydra's grammar; special characters are escaped instead. */
function printKey(key: string): string {
  return key.replace(/[\\()[\]{}:=,'" \t]/g, (c) => `\\${c}`);
}
