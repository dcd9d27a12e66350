import {describe, expect, it} from "vitest";
import {parseInvocation} from "../../src/server/parseInvocation.ts";
import {RequestError} from "../../src/server/requestError.ts";

const rows = [
  {a: 1, b: "x"},
  {a: null, b: "y"}
];

describe("parseInvocation (MLflow's scoring formats)", () => {
  it("reads every format to the same rows", () => {
    const json = (body: unknown) => parseInvocation("application/json", JSON.stringify(body));
    expect(
      json({
        dataframe_split: {
          columns: ["a", "b"],
          data: [
            [1, "x"],
            [null, "y"]
          ]
        }
      })
    ).toEqual(rows);
    expect(
      json({
        dataframe_split: {
          columns: ["a", "b"],
          index: [7, 8],
          data: [
            [1, "x"],
            [null, "y"]
          ]
        }
      })
    ).toEqual(rows);
    expect(json({dataframe_records: rows})).toEqual(rows);
    expect(json({instances: rows})).toEqual(rows);
    expect(json({inputs: rows})).toEqual(rows);
    expect(json({inputs: {a: [1, null], b: ["x", "y"]}})).toEqual(rows);
    expect(json({instances: {a: [1, null], b: ["x", "y"]}})).toEqual(rows);
    expect(json({dataframe_records: rows, params: {}})).toEqual(rows);
    expect(
      parseInvocation("application/json; charset=utf-8", JSON.stringify({dataframe_records: rows}))
    ).toEqual(rows);
    // CSV: text values (the model converts them as training read them); an empty field is missing.
    expect(parseInvocation("text/csv", "a,b\n1,x\n,y\n")).toEqual([
      {a: "1", b: "x"},
      {a: null, b: "y"}
    ]);
    expect(parseInvocation("text/csv; charset=utf-8", 'a,b\n"1,5","say ""hi"""\n')).toEqual([
      {a: "1,5", b: 'say "hi"'}
    ]);
  });

  const refused = (type: string | undefined, body: string): RequestError => {
    try {
      parseInvocation(type, body);
    } catch (error) {
      expect(error).toBeInstanceOf(RequestError);
      return error as RequestError;
    }
    throw new Error(`accepted ${body}`);
  };

  it("refuses what it cannot read with a message naming the key, row or column", () => {
    expect(refused("application/json", "{bad").message).toMatch(/^the body is not JSON: /);
    expect(refused("application/json", "[1, 2]").message).toMatch(
      /must be a JSON object with one of dataframe_split/
    );
    expect(refused("application/json", "{}").message).toBe(
      "the body needs one of dataframe_split, dataframe_records, instances or inputs"
    );
    expect(refused("application/json", '{"rows": []}').message).toBe(
      "the body has rows: it needs exactly one of dataframe_split, dataframe_records, instances or inputs"
    );
    expect(refused("application/json", '{"inputs": [], "instances": []}').message).toMatch(
      /^the body has inputs, instances/
    );
    expect(
      refused("application/json", '{"dataframe_split": {"columns": ["a"], "data": [[1], [1, 2]]}}').message
    ).toBe("dataframe_split.data[1] must be a list of 1 values (one per column)");
    expect(refused("application/json", '{"dataframe_split": {"columns": [1], "data": []}}').message).toBe(
      "dataframe_split.columns must be a list of column names"
    );
    expect(refused("application/json", '{"dataframe_records": [{"a": 1}, 5]}').message).toBe(
      "dataframe_records[1] must be an object of column values"
    );
    expect(refused("application/json", '{"inputs": {"a": [1, 2], "b": [1]}}').message).toBe(
      "inputs.b has 1 values, other columns 2"
    );
    expect(refused("application/json", '{"dataframe_records": [], "params": {"k": 1}}').message).toBe(
      "params: this model takes no parameters (got k)"
    );
    expect(refused("text/csv", "  ").message).toBe("the CSV body is empty: it needs a header line");
    const form = refused("application/x-www-form-urlencoded", "a=1");
    expect(form.status).toBe(415);
    expect(form.message).toMatch(/^content type application\/x-www-form-urlencoded is not read/);
  });
});
