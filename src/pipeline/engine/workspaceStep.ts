import {pathToFileURL} from "node:url";
import {z} from "zod";
import type {NamedStep} from "./catalog.ts";
import type {OutputKind, WorkspaceModule} from "./step.ts";

const kinds: readonly OutputKind[] = ["table", "json", "file"];

/**
 * The step a workspace module default-exports (`export default defineStep({...})`), named by its
 * key under `steps:`. Checks the shape a hand-written object can get wrong, so the mistake is
 * reported against the module now rather than as an undefined deep in a run.
 */
export function workspaceStep(name: string, module: WorkspaceModule): NamedStep {
  const step = module.exports.default as Record<string, unknown> | undefined;
  const where = module.shown;
  if (!step || typeof step !== "object")
    throw new Error(`${where} has no default export (expected export default defineStep({...}))`);
  if (typeof step.run !== "function")
    throw new Error(`${where}: the step has no run(inputs, params, ctx) function`);
  for (const field of ["inputs", "outputs"] as const) {
    const specs = step[field] ?? {};
    if (typeof specs !== "object" || Array.isArray(specs))
      throw new Error(`${where}: ${field} must be an object of {kind: "table" | "json" | "file"}`);
    for (const [role, spec] of Object.entries(specs as Record<string, {kind?: unknown}>)) {
      if (!kinds.includes(spec?.kind as OutputKind))
        throw new Error(
          `${where}: ${field}.${role}.kind is ${JSON.stringify(spec?.kind)} (expected "table", "json" or "file")`
        );
    }
  }
  if (!Object.keys(step.outputs ?? {}).length)
    throw new Error(`${where}: the step declares no outputs (a step that writes nothing cannot be cached)`);
  const params = step.params ?? z.object({});
  if (typeof (params as {safeParse?: unknown}).safeParse !== "function")
    throw new Error(`${where}: params must be a zod schema (import {z} from "mlbook")`);
  for (const field of ["configure", "sections", "final"])
    if (field in step)
      throw new Error(
        `${where}: ${field} is for built-in steps; a workspace step is placed by its config entry`
      );
  const inputs = (step.inputs ?? {}) as NamedStep["inputs"];
  const outputs = step.outputs as NamedStep["outputs"];
  // A link of the data chain (data in, data out) carries the inference pipeline on: its module
  // replays on new rows when it says so, else scoring starts from what it writes.
  const link = inputs.data?.kind === "table" && outputs.data?.kind === "table";
  if (step.replay === true && (!link || Object.keys(inputs).some((role) => role !== "data")))
    throw new Error(`${where}: replay needs a step that reads only a data table and writes a data table`);
  return {
    ...(step as unknown as NamedStep),
    name,
    params: params as z.ZodType,
    inputs: link ? {...inputs, replay: {kind: "json", optional: true}} : inputs,
    outputs: link
      ? {...outputs, replay: {kind: "json", artifact: `${name}_inference`, type: "inference", optional: true}}
      : outputs,
    module: pathToFileURL(module.path).href,
    workspace: module,
    ...(link ? {inference: step.replay === true ? ("module" as const) : ("restart" as const)} : {})
  };
}
