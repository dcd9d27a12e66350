/**
 * The decision a gating step makes (an output of artifact type `registration`): whether the model
 * it names passed its criteria. When it did, tracking registers the step's output `output` as a
 * new version of the registered model `name`.
 */
export interface Registration {
  name: string;
  passed: boolean;
  checks: CriterionCheck[];
  /** One line: "f1_macro 0.8123 < 0.9", or "all criteria passed". */
  reason: string;
  /** The output of the same step that holds the model to register. */
  output: string;
}

export interface CriterionCheck {
  metric: string;
  value: number;
  threshold: number;
  direction: "higher" | "lower";
  passed: boolean;
}
