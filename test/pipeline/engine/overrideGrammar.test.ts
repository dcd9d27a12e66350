import fc from "fast-check";
import {describe, expect, it} from "vitest";
import {
  OverrideSyntaxError,
  parseOverride,
  parseValue,
  type Element,
  type OverrideValue,
  type ParsedOverride
} from "../../../src/pipeline/engine/overrideGrammar.ts";
import {printOverride} from "../../../src/pipeline/sweep/print.ts";

function syntaxError(text: string): OverrideSyntaxError {
  try {
    parseOverride(text);
  } catch (error) {
    if (error instanceof OverrideSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected ${text} to fail`);
}

const el = (value: Element): OverrideValue => ({type: "element", value});

describe("parseOverride", () => {
  it("reads the four kinds of override", () => {
    expect(parseOverride("split.test_size=0.3")).toEqual({
      kind: "change",
      key: "split.test_size",
      value: el(0.3)
    });
    expect(parseOverride("+model.params.tol=1e-4")).toEqual({
      kind: "add",
      key: "model.params.tol",
      value: el(1e-4)
    });
    expect(parseOverride("++train.seed=3")).toEqual({kind: "forceAdd", key: "train.seed", value: el(3)});
    expect(parseOverride("~description")).toEqual({kind: "delete", key: "description", value: null});
    expect(parseOverride("~split.seed=42")).toEqual({kind: "delete", key: "split.seed", value: el(42)});
  });

  it("types primitives as Hydra does", () => {
    const v = (text: string) => (parseValue(text) as {value: Element}).value;
    expect([v("null"), v("NULL"), v("true"), v("False"), v("10"), v("-20"), v("1_000_000")]).toEqual([
      null,
      null,
      true,
      false,
      10,
      -20,
      1e6
    ]);
    expect([v("3.14"), v("-10e3"), v("1e-1"), v(".5"), v("5."), v("inf"), v("-inf")]).toEqual([
      3.14,
      -10e3,
      0.1,
      0.5,
      5,
      Infinity,
      -Infinity
    ]);
    expect(v("nan")).toBeNaN();
    expect([v("foo-bar_10"), v("hello world"), v("  padded  "), v("a/b.csv"), v("C:/x"), v("")]).toEqual([
      "foo-bar_10",
      "hello world",
      "padded",
      "a/b.csv",
      "C:/x",
      ""
    ]);
    expect([v('"10"'), v("'a,b'"), v('"x=\\"q\\""'), v("job\\{a\\=1\\,b\\}")]).toEqual([
      "10",
      "a,b",
      'x="q"',
      "job{a=1,b}"
    ]);
  });

  it("reads lists and dicts as plain values, not sweeps", () => {
    expect(parseValue("[a, b]")).toEqual(el(["a", "b"]));
    expect(parseValue("[1,[2,[]],{}]")).toEqual(el([1, [2, []], {}]));
    expect(parseValue("{a:10, b:{c:x}}")).toEqual(el({a: 10, b: {c: "x"}}));
  });

  it("reads sweeps: comma lists, choice, range and glob", () => {
    expect(parseValue("1,2,3")).toEqual({type: "choice", values: [1, 2, 3], simple: true});
    expect(parseValue("[a,b],[c]")).toEqual({type: "choice", values: [["a", "b"], ["c"]], simple: true});
    expect(parseValue("choice(mysql, postgresql)")).toEqual({
      type: "choice",
      values: ["mysql", "postgresql"],
      simple: false
    });
    expect(parseValue("range(1,5)")).toEqual({type: "range", start: 1, stop: 5, step: null});
    expect(parseValue("range(start=0, stop=1, step=0.25)")).toEqual({
      type: "range",
      start: 0,
      stop: 1,
      step: 0.25
    });
    expect(parseValue("glob(*,exclude=support)")).toEqual({
      type: "glob",
      include: ["*"],
      exclude: ["support"]
    });
    expect(parseValue("glob([s*,w*],exclude=school)")).toEqual({
      type: "glob",
      include: ["s*", "w*"],
      exclude: ["school"]
    });
  });

  it("points at the offending character with a caret line", () => {
    const error = syntaxError("model.params.C=range(1,a)");
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(
      'invalid override "model.params.C=range(1,a)": range() takes finite numbers, got "a" for stop\n' +
        "  model.params.C=range(1,a)\n" +
        "                         ^"
    );
    const caret = (text: string) => syntaxError(text).message.split("\n")[2].indexOf("^") - 2;
    expect(caret("a=[1,2")).toBe(6);
    expect(caret("a=1,,2")).toBe(4);
    expect(caret("a=b=c")).toBe(3);
    expect(caret("a=foo(1)")).toBe(2);
    expect(caret('a="open')).toBe(2);
    expect(caret("a=range(1,5,0)")).toBe(12);
    expect(caret("a.b c=1")).toBe(3);
    expect(syntaxError("a=foo(1)").message).toMatch(
      /unknown function foo \(expected choice, range or glob\)/
    );
    expect(syntaxError("split").message).toMatch(/expected key\.path=value/);
    expect(syntaxError("~a=1,2").message).toMatch(/~key takes a plain value/);
    expect(syntaxError("a=[range(1,2)]").message).toMatch(/cannot be nested/);
    expect(syntaxError("a=range(1,2),3").message).toMatch(/cannot be one item of a comma list/);
  });
});

// Arbitrary overrides, printed and parsed back. -0 and NaN are included on purpose.
const key = fc
  .array(fc.stringMatching(/^[A-Za-z_][\w-]{0,6}$/), {minLength: 1, maxLength: 4})
  .map((parts) => parts.join("."));
const scalar: fc.Arbitrary<Element> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.string(),
  fc.constantFrom(
    "true",
    "null",
    "10",
    "1e3",
    "inf",
    "a,b",
    "x=y",
    "  pad ",
    'q"uo\\',
    "it's",
    "\\",
    "choice(1)",
    "[a]"
  )
);
const element: fc.Arbitrary<Element> = fc.letrec<{el: Element}>((tie) => ({
  el: fc.oneof(
    {depthSize: "small", withCrossShrink: true},
    scalar,
    fc.array(tie("el"), {maxLength: 3}),
    fc.dictionary(fc.string({minLength: 1}), tie("el"), {maxKeys: 3})
  )
})).el;
const finite = fc.double({noNaN: true, noDefaultInfinity: true});
const value: fc.Arbitrary<OverrideValue> = fc.oneof(
  element.map((v): OverrideValue => ({type: "element", value: v})),
  fc
    .array(element, {minLength: 2, maxLength: 4})
    .map((values): OverrideValue => ({type: "choice", values, simple: true})),
  fc
    .array(element, {minLength: 1, maxLength: 4})
    .map((values): OverrideValue => ({type: "choice", values, simple: false})),
  fc
    .tuple(finite, finite, fc.option(finite.filter((x) => x !== 0)))
    .map(([start, stop, step]): OverrideValue => ({type: "range", start, stop, step})),
  fc
    .tuple(fc.array(fc.string(), {minLength: 1, maxLength: 3}), fc.array(fc.string(), {maxLength: 2}))
    .map(([include, exclude]): OverrideValue => ({type: "glob", include, exclude}))
);
const override: fc.Arbitrary<ParsedOverride> = fc.oneof(
  fc.record({kind: fc.constantFrom("change" as const, "add" as const, "forceAdd" as const), key, value}),
  fc.record({
    kind: fc.constant("delete" as const),
    key,
    value: fc.option(scalar.map((v): OverrideValue => ({type: "element", value: v})))
  })
);

describe("print", () => {
  it("round-trips: parse(print(o)) equals o", () => {
    fc.assert(
      fc.property(override, (o) => {
        expect(parseOverride(printOverride(o))).toEqual(o);
      }),
      {numRuns: 2000}
    );
  });

  it("is canonical: print(parse(text)) is a fixed point of parse → print", () => {
    fc.assert(
      fc.property(override, (o) => {
        const text = printOverride(o);
        expect(printOverride(parseOverride(text))).toBe(text);
      }),
      {numRuns: 1000}
    );
  });

  it("keeps a dict key named __proto__ as a plain key", () => {
    const o = parseOverride('A={__proto__: ""}');
    expect(printOverride(parseOverride(printOverride(o)))).toBe(printOverride(o));
    expect(Object.keys((o.value as {value: object}).value)).toEqual(["__proto__"]);
  });

  it("prints the canonical form of hand-written overrides", () => {
    const canon = (text: string) => printOverride(parseOverride(text));
    expect(canon("model.params.C= 0.1, 1 ,10")).toBe("model.params.C=0.1,1,10");
    expect(canon("x=range(0, 1, 0.25)")).toBe("x=range(0,1,0.25)");
    expect(canon("x=glob([a*])")).toBe("x=glob(a*)");
    expect(canon("x='a,b'")).toBe('x="a,b"');
    expect(canon('x="10"')).toBe('x="10"');
    expect(canon("x=[ a , b ]")).toBe("x=[a,b]");
  });
});
