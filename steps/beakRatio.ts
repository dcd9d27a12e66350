import {defineStep, z} from "mlbook";

/**
 * A workspace step: the beak's length over its depth, a shape feature that tells the species
 * apart better than either measurement alone. It reads the cleaned rows (`after: clean` in
 * mlbook.yaml) and adds one column; the steps after it see the new column.
 */
export default defineStep({
  description: "beak length over beak depth",
  params: z.object({
    /** Multiplies the ratio. Default 1. */
    scale: z.number().positive().default(1)
  }),
  inputs: {data: {kind: "table"}},
  outputs: {data: {kind: "table", artifact: "beak_features"}},
  // Row by row: a model trained on its output can replay it on new rows.
  replay: true,
  async run({data}, {scale}) {
    return {
      data: `SELECT *, "Beak Length (mm)" / nullif("Beak Depth (mm)", 0) * ${scale} AS beak_ratio FROM ${data}`
    };
  }
});
