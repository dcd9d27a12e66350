import {ConfigError} from "../errors.ts";

/**
 * Hydra's override grammar, as mlbook uses it on the command line:
 * `key=value`, `+key=value` (add), `++key=value` (add or override), `~key` / `~key=value` (delete);
 * values are primitives, quoted strings, lists `[a,b]` and dicts `{a:1}`; sweeps are `a,b,c`,
 * `choice(…)`, `range(start, stop[, step])` and `glob(include[, exclude=…])`.
 * See https://hydra.cc/docs/advanced/override_grammar/basic/ and …/extended/.
 */

/** A plain value, as it lands in the config. */
export type Element = null | boolean | number | string | Element[] | {[key: string]: Element};

export type OverrideValue =
  | {type: "element"; value: Element}
  /** `a,b,c` (simple) or `choice(a,b,c)`. */
  | {type: "choice"; values: Element[]; simple: boolean}
  /** `range(start, stop[, step])`; step is null when omitted (1). */
  | {type: "range"; start: number; stop: number; step: number | null}
  /** `glob(include, exclude=…)`, matched against the choices a key allows (e.g. model types). */
  | {type: "glob"; include: string[]; exclude: string[]};

export type OverrideKind = "change" | "add" | "forceAdd" | "delete";

export interface ParsedOverride {
  kind: OverrideKind;
  /** Dotted key, `model.params.C`. */
  key: string;
  /** Null only for `~key` without a value. */
  value: OverrideValue | null;
}

export function isSweep(value: OverrideValue | null): boolean {
  return value !== null && value.type !== "element";
}

/** A grammar error: names the override and points at the offending character. */
export class OverrideSyntaxError extends ConfigError {
  constructor(
    readonly text: string,
    readonly position: number,
    readonly reason: string
  ) {
    super(`invalid override ${JSON.stringify(text)}: ${reason}\n  ${text}\n  ${" ".repeat(position)}^`);
    this.name = "OverrideSyntaxError";
  }
}

const keyPattern = /[A-Za-z_][\w-]*(?:\.[^.=\s()[\]{},'"\\~]+)*/y;
const namePattern = /[A-Za-z_]\w*/y;
const argNamePattern = /([A-Za-z_]\w*)\s*=/y;
/** Characters that end an unquoted value; `\` escapes them (Hydra's ESC). */
const special = new Set(["\\", "(", ")", "[", "]", "{", "}", ":", "=", ",", " ", "\t", "'", '"']);
const terminators = new Set([",", ")", "]", "}", "(", "[", "{", "=", "'", '"']);

export function parseOverride(text: string): ParsedOverride {
  return new Parser(text).override();
}

/** Parses the value part alone (`1,2,3`, `range(1,5)`), e.g. a sweep axis written in the config. */
export function parseValue(text: string): OverrideValue {
  const parser = new Parser(text);
  const value = parser.value();
  parser.end();
  return value;
}

const intPattern = /^[+-]?(?:0|[1-9](?:_?\d)*)$/;
const floatPattern =
  /^[+-]?(?:(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.)(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*[eE][+-]?\d(?:_?\d)*)$/;

/** Types an unquoted primitive the way Hydra does: null, bool, int, float (inf, nan), else string. */
export function typePrimitive(text: string): Element {
  const lower = text.toLowerCase();
  if (lower === "null") return null;
  if (lower === "true") return true;
  if (lower === "false") return false;
  if (/^[+-]?inf$/.test(lower)) return lower.startsWith("-") ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(lower)) return NaN;
  if (intPattern.test(text) || floatPattern.test(text)) return Number(text.replace(/_/g, ""));
  return text;
}

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(reason: string, at = this.pos): never {
    throw new OverrideSyntaxError(this.text, Math.min(at, this.text.length), reason);
  }

  peek(): string {
    return this.text[this.pos] ?? "";
  }

  ws(): void {
    while (this.peek() === " " || this.peek() === "\t") this.pos++;
  }

  end(): void {
    this.ws();
    if (this.pos < this.text.length) this.fail(`unexpected ${JSON.stringify(this.peek())}`);
  }

  override(): ParsedOverride {
    const prefix = /^(~|\+\+|\+)?/.exec(this.text)![0];
    const kind = ({"": "change", "~": "delete", "++": "forceAdd", "+": "add"} as const)[
      prefix as "" | "~" | "++" | "+"
    ];
    this.pos = prefix.length;
    keyPattern.lastIndex = this.pos;
    const match = keyPattern.exec(this.text);
    if (!match) this.fail("expected a key (expected key.path=value, dotted names like split.test_size)");
    const key = match[0];
    this.pos += key.length;
    if (this.pos === this.text.length) {
      if (kind === "delete") return {kind, key, value: null};
      this.fail("missing =value (expected key.path=value)");
    }
    if (this.peek() !== "=")
      this.fail(`unexpected ${JSON.stringify(this.peek())} in the key (expected key.path=value)`);
    this.pos++;
    if (kind === "delete") {
      this.ws();
      if (this.pos === this.text.length) return {kind, key, value: null};
    }
    const value = this.value();
    this.end();
    if (kind === "delete" && isSweep(value))
      this.fail("~key takes a plain value, not a sweep", key.length + 2);
    return {kind, key, value};
  }

  value(): OverrideValue {
    this.ws();
    if (this.pos === this.text.length) return {type: "element", value: ""};
    const start = this.pos;
    const first = this.item(true);
    if (first.type !== "element") {
      this.ws();
      if (this.peek() === ",") this.fail("a sweep function cannot be one item of a comma list", start);
      return first;
    }
    const values = [first.value];
    for (this.ws(); this.peek() === ","; this.ws()) {
      this.pos++;
      values.push(this.element());
    }
    return values.length > 1 ? {type: "choice", values, simple: true} : first;
  }

  element(): Element {
    const start = this.pos;
    const item = this.item(false);
    if (item.type !== "element") this.fail("a sweep cannot be nested inside a value", start);
    return item.value;
  }

  item(allowSweep: boolean): OverrideValue {
    this.ws();
    const c = this.peek();
    if (c === '"' || c === "'") return {type: "element", value: this.quoted()};
    if (c === "[") return {type: "element", value: this.list()};
    if (c === "{") return {type: "element", value: this.dict()};
    namePattern.lastIndex = this.pos;
    const name = namePattern.exec(this.text)?.[0];
    if (name && this.text[this.pos + name.length] === "(") {
      if (!allowSweep) this.fail(`a sweep like ${name}(…) cannot be nested inside a value`);
      return this.call(name);
    }
    return {type: "element", value: this.primitive()};
  }

  primitive(): Element {
    const chars: {c: string; escaped: boolean}[] = [];
    for (;;) {
      const c = this.peek();
      if (c === "" || terminators.has(c)) break;
      if (c === "\\" && special.has(this.text[this.pos + 1] ?? "")) {
        chars.push({c: this.text[this.pos + 1], escaped: true});
        this.pos += 2;
        continue;
      }
      chars.push({c, escaped: false});
      this.pos++;
    }
    while (chars.length && !chars[0].escaped && (chars[0].c === " " || chars[0].c === "\t")) chars.shift();
    while (chars.length && !chars[chars.length - 1].escaped && /[ \t]/.test(chars[chars.length - 1].c))
      chars.pop();
    if (!chars.length)
      this.fail(`expected a value${this.peek() ? `, got ${JSON.stringify(this.peek())}` : ""}`, this.pos);
    const text = chars.map((x) => x.c).join("");
    return chars.some((x) => x.escaped) ? text : typePrimitive(text);
  }

  /**
   * Quoted strings follow Hydra: a backslash escapes the quote; only runs of backslashes right
   * before a quote are escapes themselves (halved), every other backslash is literal.
   */
  quoted(): string {
    const start = this.pos;
    const q = this.peek();
    this.pos++;
    let out = "";
    for (;;) {
      const c = this.peek();
      if (c === "") this.fail(`unterminated ${q === '"' ? "double" : "single"}-quoted string`, start);
      if (c === "\\") {
        let n = 0;
        while (this.text[this.pos + n] === "\\") n++;
        if (this.text[this.pos + n] === q) {
          out += "\\".repeat(Math.floor(n / 2));
          this.pos += n;
          if (n % 2) {
            out += q;
            this.pos++;
            continue;
          }
          continue;
        }
        out += "\\".repeat(n);
        this.pos += n;
        continue;
      }
      this.pos++;
      if (c === q) return out;
      out += c;
    }
  }

  list(): Element[] {
    this.pos++;
    const out: Element[] = [];
    this.ws();
    if (this.peek() === "]") return (this.pos++, out);
    for (;;) {
      out.push(this.element());
      this.ws();
      const c = this.peek();
      this.pos++;
      if (c === "]") return out;
      if (c !== ",")
        this.fail(
          c ? `unexpected ${JSON.stringify(c)} in a list (expected , or ])` : "unclosed [ (expected ])",
          this.pos - 1
        );
    }
  }

  dict(): {[key: string]: Element} {
    this.pos++;
    const out: {[key: string]: Element} = {};
    this.ws();
    if (this.peek() === "}") return (this.pos++, out);
    for (;;) {
      const key = this.dictKey();
      if (this.peek() !== ":") this.fail(`expected : after the dict key ${JSON.stringify(key)}`);
      this.pos++;
      // defineProperty, not assignment: a key named __proto__ must stay a plain key.
      Object.defineProperty(out, key, {
        value: this.element(),
        enumerable: true,
        writable: true,
        configurable: true
      });
      this.ws();
      const c = this.peek();
      this.pos++;
      if (c === "}") return out;
      if (c !== ",")
        this.fail(
          c ? `unexpected ${JSON.stringify(c)} in a dict (expected , or })` : "unclosed { (expected })",
          this.pos - 1
        );
    }
  }

  dictKey(): string {
    this.ws();
    const start = this.pos;
    let key = "";
    let trailing = 0;
    for (;;) {
      const c = this.peek();
      if (c === "\\" && special.has(this.text[this.pos + 1] ?? "")) {
        key += this.text[this.pos + 1];
        this.pos += 2;
        trailing = 0;
        continue;
      }
      if (c === "" || c === ":" || terminators.has(c)) break;
      key += c;
      trailing = c === " " || c === "\t" ? trailing + 1 : 0;
      this.pos++;
    }
    key = key.slice(0, key.length - trailing);
    if (!key) this.fail("expected a dict key", start);
    return key;
  }

  call(name: string): OverrideValue {
    const at = this.pos;
    this.pos += name.length + 1;
    const positional: {value: Element; at: number}[] = [];
    const named = new Map<string, {value: Element; at: number}>();
    this.ws();
    if (this.peek() === ")") this.pos++;
    else {
      for (;;) {
        this.ws();
        argNamePattern.lastIndex = this.pos;
        const arg = argNamePattern.exec(this.text);
        const argAt = this.pos;
        if (arg) {
          this.pos += arg[0].length;
          if (named.has(arg[1])) this.fail(`${name}() got ${arg[1]} twice`, argAt);
          named.set(arg[1], {value: this.element(), at: argAt});
        } else {
          if (named.size) this.fail(`${name}(): a positional argument cannot follow a named one`, argAt);
          positional.push({value: this.element(), at: argAt});
        }
        this.ws();
        const c = this.peek();
        this.pos++;
        if (c === ")") break;
        if (c !== ",")
          this.fail(
            c
              ? `unexpected ${JSON.stringify(c)} in ${name}(…) (expected , or ))`
              : `unclosed ${name}( (expected ))`,
            this.pos - 1
          );
      }
    }
    switch (name) {
      case "choice":
        if (named.size) this.fail("choice() takes only positional values", [...named.values()][0].at);
        if (!positional.length) this.fail("choice() needs at least one value", at);
        return {type: "choice", values: positional.map((p) => p.value), simple: false};
      case "range":
        return this.range(at, positional, named);
      case "glob":
        return this.glob(at, positional, named);
      default:
        return this.fail(`unknown function ${name} (expected choice, range or glob)`, at);
    }
  }

  range(
    at: number,
    positional: {value: Element; at: number}[],
    named: Map<string, {value: Element; at: number}>
  ): OverrideValue {
    const names = ["start", "stop", "step"];
    const args = new Map(positional.map((p, i) => [names[i] ?? `#${i}`, p]));
    for (const [key, arg] of named) {
      if (!names.includes(key))
        this.fail(`range() has no argument ${key} (expected start, stop, step)`, arg.at);
      if (args.has(key)) this.fail(`range() got ${key} twice`, arg.at);
      args.set(key, arg);
    }
    if (positional.length > 3)
      this.fail("range() takes at most 3 arguments: start, stop, step", positional[3].at);
    const number = (key: string): number | null => {
      const arg = args.get(key);
      if (!arg) return null;
      if (typeof arg.value !== "number" || !Number.isFinite(arg.value)) {
        this.fail(`range() takes finite numbers, got ${JSON.stringify(arg.value)} for ${key}`, arg.at);
      }
      return arg.value;
    };
    const start = number("start");
    const stop = number("stop");
    const step = number("step");
    if (start === null || stop === null)
      this.fail("range() needs start and stop: range(start, stop[, step])", at);
    if (step === 0) this.fail("range() step must not be zero", args.get("step")!.at);
    return {type: "range", start, stop, step};
  }

  glob(
    at: number,
    positional: {value: Element; at: number}[],
    named: Map<string, {value: Element; at: number}>
  ): OverrideValue {
    const strings = (arg: {value: Element; at: number} | undefined, what: string): string[] => {
      if (!arg) return [];
      const list = Array.isArray(arg.value) ? arg.value : [arg.value];
      if (!list.every((v) => typeof v === "string"))
        this.fail(`glob() ${what} takes patterns (strings or a list of strings)`, arg.at);
      return list as string[];
    };
    for (const [key, arg] of named)
      if (key !== "include" && key !== "exclude")
        this.fail(`glob() has no argument ${key} (expected include, exclude)`, arg.at);
    if (positional.length > 2) this.fail("glob() takes include and exclude", positional[2].at);
    if (positional.length && named.has("include"))
      this.fail("glob() got include twice", named.get("include")!.at);
    if (positional.length > 1 && named.has("exclude"))
      this.fail("glob() got exclude twice", named.get("exclude")!.at);
    const include = strings(positional[0] ?? named.get("include"), "include");
    if (!include.length) this.fail("glob() needs an include pattern, e.g. glob(*)", at);
    return {type: "glob", include, exclude: strings(positional[1] ?? named.get("exclude"), "exclude")};
  }
}
