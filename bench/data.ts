import {mkdirSync, writeFileSync} from "node:fs";
import {join} from "node:path";
import type {Features} from "../src/pipeline/ml/types.ts";
import {createRng} from "../src/pipeline/ml/rng.ts";

/**
 * A synthetic classification set in the spirit of sklearn's make_classification: `informative`
 * features drive a linear-plus-interaction score, the rest is noise. Deterministic for a seed.
 */
export function makeClassification(
  rows: number,
  features: number,
  {classes = 2, informative = Math.min(8, features), seed = 0} = {}
): {X: Features; y: Int32Array} {
  const rng = createRng(seed);
  const cols = Array.from({length: features}, () => new Float64Array(rows));
  const w = Array.from({length: classes}, () => Array.from({length: informative}, () => rng.normal()));
  const y = new Int32Array(rows);
  for (let i = 0; i < rows; ++i) {
    for (let j = 0; j < features; ++j) cols[j][i] = rng.normal();
    let best = -Infinity;
    for (let k = 0; k < classes; ++k) {
      let s = 0;
      for (let j = 0; j < informative; ++j) s += w[k][j] * cols[j][i];
      s += 0.5 * cols[0][i] * cols[1 % features][i] * (k % 2 ? 1 : -1) + rng.normal() * 0.5;
      if (s > best) {
        best = s;
        y[i] = k;
      }
    }
  }
  return {X: {rows, cols}, y};
}

/** A synthetic regression set: a non-linear function of the first features plus noise. */
export function makeRegression(
  rows: number,
  features: number,
  {seed = 0} = {}
): {X: Features; y: Float64Array} {
  const rng = createRng(seed);
  const cols = Array.from({length: features}, () => new Float64Array(rows));
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; ++i) {
    for (let j = 0; j < features; ++j) cols[j][i] = rng.normal();
    y[i] =
      3 * cols[0][i] - 2 * cols[1 % features][i] + Math.sin(2 * cols[2 % features][i]) + rng.normal() * 0.3;
  }
  return {X: {rows, cols}, y};
}

/**
 * Writes X (row-major float64) and y (float64) as raw little-endian files, so a Python script in the
 * same bench can `numpy.fromfile` the very same data.
 */
export function writeRaw(
  dir: string,
  name: string,
  X: Features,
  y: ArrayLike<number>
): {x: string; y: string} {
  mkdirSync(dir, {recursive: true});
  const p = X.cols.length;
  const rowMajor = new Float64Array(X.rows * p);
  for (let j = 0; j < p; ++j) {
    const c = X.cols[j];
    for (let i = 0; i < X.rows; ++i) rowMajor[i * p + j] = c[i];
  }
  const x = join(dir, `${name}.X.f64`);
  const yPath = join(dir, `${name}.y.f64`);
  writeFileSync(x, new Uint8Array(rowMajor.buffer));
  writeFileSync(yPath, new Uint8Array(Float64Array.from(y).buffer));
  return {x, y: yPath};
}
