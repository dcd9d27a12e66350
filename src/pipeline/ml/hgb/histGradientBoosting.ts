import {HistGradientBoostingClassifier} from "./HistGradientBoostingClassifier.ts";
import {HistGradientBoostingRegressor} from "./HistGradientBoostingRegressor.ts";
import {histGradientBoostingParams} from "./histGradientBoostingParams.ts";
import type {HistGradientBoostingParams} from "./histGradientBoostingParams.ts";
import type {ModelSpec} from "../types.ts";

/** Histogram gradient boosting (sklearn's HistGradientBoostingClassifier / Regressor). */
export const histGradientBoostingSpec: ModelSpec<HistGradientBoostingParams> = {
  type: "hist_gradient_boosting",
  tasks: ["classification", "regression"],
  params: histGradientBoostingParams,
  create(params, task) {
    return task === "classification"
      ? new HistGradientBoostingClassifier(params)
      : new HistGradientBoostingRegressor(params);
  },
  fromJSON(json) {
    if (json.type !== "hist_gradient_boosting") {
      throw new Error(`invalid model.type: ${json.type} (expected hist_gradient_boosting)`);
    }
    const params = histGradientBoostingParams.parse(json.params);
    return json.task === "classification"
      ? HistGradientBoostingClassifier.fromState(params, json.state)
      : HistGradientBoostingRegressor.fromState(params, json.state);
  }
};
