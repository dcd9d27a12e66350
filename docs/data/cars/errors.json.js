// Error analysis of the cars model (docs/cars/errors.md): a page of this workspace's own, written
// only with mlbook's public page-data API, as any user's page is. See README: "Write your own page".
import {pageLoader} from "mlbook";

await pageLoader(
  async (data) => {
    // The test rows beside their predictions: evaluate keeps the test rows' order, so a positional
    // join pairs them. error = predicted − actual (positive: the model said more miles per gallon).
    const rows = await data.query(
      `SELECT t.*, p.prediction, p.prediction - p.actual AS error
       FROM test t POSITIONAL JOIN predictions p
       ORDER BY abs(p.prediction - p.actual) DESC`,
      {test: "test_data", predictions: "predictions"}
    );
    const config = await data.config();
    const target = config.data.target;
    const metrics = await data.json("metrics");
    // The columns a reader can plot the error against: every column of the test rows but the target.
    const columns = Object.keys(rows[0] ?? {}).filter((c) => ![target, "prediction", "error"].includes(c));
    return {pipeline: data.pipeline, target, metrics: {rmse: metrics.rmse, mae: metrics.mae}, columns, rows};
  },
  {pipeline: "cars"}
);
