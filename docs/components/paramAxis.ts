import {paramLabel, paramValue} from "./paramValue.js";

/**
 * How a param's values are laid along an axis: numbers on a numeric scale (log when all are
 * positive and span more than 50×, as a sweep over C or a learning rate does), anything else as
 * its distinct labels. A run without the param has no place on it: charts show those apart.
 */
export type ParamAxis =
  {kind: "number"; log: boolean; min: number; max: number} | {kind: "text"; labels: string[]};

export function paramAxis(raws: readonly unknown[]): ParamAxis {
  const values = raws.map(paramValue).filter((v) => v !== null);
  if (values.length && values.every((v) => typeof v === "number" && Number.isFinite(v))) {
    const numbers = values as number[];
    const min = Math.min(...numbers);
    const max = Math.max(...numbers);
    return {kind: "number", log: min > 0 && max / min > 50, min, max};
  }
  return {kind: "text", labels: [...new Set(values.map(paramLabel))].sort()};
}

/** Where a value sits along the axis, from 0 (its least) to 1; null for a run without the param. */
export function axisPosition(axis: ParamAxis, raw: unknown): number | null {
  const v = paramValue(raw);
  if (v === null) return null;
  if (axis.kind === "text") {
    const i = axis.labels.indexOf(paramLabel(v));
    return axis.labels.length === 1 ? 0.5 : i / (axis.labels.length - 1);
  }
  const f = axis.log ? Math.log : (x: number) => x;
  return axis.min === axis.max ? 0.5 : (f(v as number) - f(axis.min)) / (f(axis.max) - f(axis.min));
}
