import {mkdir, readFile, rename, writeFile} from "node:fs/promises";
import {join} from "node:path";
import type {KeyParts, PlannedStep} from "./plan.ts";

/** What the last run of a pipeline keyed each step with: a stale step says what changed since. */
export interface State {
  steps: Record<string, KeyParts & {key: string}>;
}

export async function readState(root: string, pipeline: string): Promise<State> {
  try {
    return JSON.parse(await readFile(join(root, "state", `${pipeline}.json`), "utf8")) as State;
  } catch {
    return {steps: {}};
  }
}

export async function writeState(
  root: string,
  pipeline: string,
  planned: readonly PlannedStep[]
): Promise<void> {
  const state = await readState(root, pipeline);
  for (const p of planned) state.steps[p.node.name] = {...p.parts, key: p.key};
  await mkdir(join(root, "state"), {recursive: true});
  const file = join(root, "state", `${pipeline}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2));
  await rename(tmp, file);
}
