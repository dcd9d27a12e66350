import {readFileSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import {createRng} from "../../src/pipeline/ml/rng.ts";
import {repoRoot} from "./project.ts";

type Row = Record<string, string | number | null>;

/** Rows of one of vega-datasets' JSON files. */
function dataset(name: string): Row[] {
  return JSON.parse(
    readFileSync(join(repoRoot, "node_modules", "vega-datasets", "data", name), "utf8")
  ) as Row[];
}

const plus = (v: Row[string], f: (x: number) => number) => (v === null ? null : f(Number(v)));

/**
 * Two batches of cars for `mlbook monitor`, written into `dir`: `cars-same.json`, 150 rows drawn
 * (with replacement, seed 11) from the cars the model was trained on, and `cars-shifted.json`, the
 * same rows with more powerful (horsepower × 1.5) and heavier (weight × 1.3) cars.
 */
export function writeCarBatches(dir: string): void {
  const cars = dataset("cars.json");
  const random = createRng(11);
  const resample = Array.from({length: 150}, () => cars[Math.floor(random.next() * cars.length)]);
  const shifted = resample.map((r) => ({
    ...r,
    Horsepower: plus(r.Horsepower, (x) => x * 1.5),
    Weight_in_lbs: plus(r.Weight_in_lbs, (x) => x * 1.3)
  }));
  writeFileSync(join(dir, "cars-same.json"), JSON.stringify(resample));
  writeFileSync(join(dir, "cars-shifted.json"), JSON.stringify(shifted));
}

/**
 * Two batches of new penguins for `mlbook monitor`, written into `dir`: `same.json`, 200 rows drawn
 * (with replacement, seed 7) from the data the model was trained on, and `shifted.json`, the same
 * rows with two columns moved — flippers 15 mm longer, bodies 25% heavier.
 */
export function writePenguinBatches(dir: string): void {
  const penguins = dataset("penguins.json");
  const random = createRng(7);
  const resample = Array.from({length: 200}, () => penguins[Math.floor(random.next() * penguins.length)]);
  const shifted = resample.map((r) => ({
    ...r,
    "Flipper Length (mm)": plus(r["Flipper Length (mm)"], (x) => x + 15),
    "Body Mass (g)": plus(r["Body Mass (g)"], (x) => x * 1.25)
  }));
  writeFileSync(join(dir, "same.json"), JSON.stringify(resample));
  writeFileSync(join(dir, "shifted.json"), JSON.stringify(shifted));
}
