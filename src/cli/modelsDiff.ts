import {ConfigError} from "../pipeline/errors.ts";
import {listModels, type ModelSummary} from "../pipeline/tracking/queries.ts";
import {resolveModel} from "../pipeline/tracking/resolve.ts";
import {formatMetric, textTable} from "../pipeline/tracking/textTable.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";
import {workspaceTrackings} from "./workspaceTrackings.ts";

/** One line of a comparison: a field, its two values, whether they differ. */
export interface ModelDifference {
  field: string;
  a: string;
  b: string;
  differs: boolean;
}

/**
 * `mlbook models diff A B` (NAME:vN or NAME@ALIAS each): two registered versions side by side —
 * model type, every param either has, headline metrics, the run and artifact — differences marked.
 */
export async function modelsDiff(refs: string[], options: {config: string; json?: boolean}): Promise<void> {
  if (refs.length !== 2)
    throw new ConfigError(
      `invalid arguments: models diff ${refs.join(" ")} (expected mlbook models diff NAME:vN NAME:vM, or NAME@ALIAS)`
    );
  const [a, b] = [await find(refs[0], options.config), await find(refs[1], options.config)];
  const show = (v: unknown) => (v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));
  const rows: [string, string, string][] = [
    ["model type", a.model_type ?? "?", b.model_type ?? "?"],
    ...union(a.params, b.params).map((k): [string, string, string] => [
      k,
      show(a.params[k]),
      show(b.params[k])
    ]),
    ...union(a.metrics, b.metrics).map((k): [string, string, string] => [
      k,
      a.metrics[k] === undefined ? "" : formatMetric(a.metrics[k]),
      b.metrics[k] === undefined ? "" : formatMetric(b.metrics[k])
    ]),
    ["artifact", a.artifact, b.artifact],
    ["run", a.run_id, b.run_id],
    ["aliases", a.aliases, b.aliases],
    ["registered", a.created_at.slice(0, 16), b.created_at.slice(0, 16)]
  ];
  const differences: ModelDifference[] = rows.map(([field, x, y]) => ({field, a: x, b: y, differs: x !== y}));
  if (options.json) return void console.log(JSON.stringify({a, b, differences}, null, 2));
  const header = ["", `${a.name}:v${a.version}`, `${b.name}:v${b.version}`];
  const lines = textTable(
    header,
    differences.map((d) => [`${d.differs ? "* " : "  "}${d.field}`, d.a, d.b])
  );
  for (const line of lines) console.log(line);
  const n = differences.filter((d) => d.differs).length;
  console.log(`${n} of ${differences.length} fields differ (*)`);
}

/** The version a ref names, in whichever tracking database of the workspace registered it. */
async function find(ref: string, config: string): Promise<ModelSummary> {
  const trackings = workspaceTrackings(config);
  for (const [i, tracking] of trackings.entries()) {
    try {
      return await withProject(tracking, async (tx) => {
        const {model} = await resolveModel(tx, ref);
        return (await listModels(tx, model.name)).find((m) => m.version === model.version)!;
      });
    } catch (error) {
      if (!(error instanceof ConfigError) || i === trackings.length - 1) throw error;
    }
  }
  throw new ConfigError(`no registered model ${JSON.stringify(ref)}`);
}

function union(x: Record<string, unknown>, y: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
}
