import {paramAxis} from "./paramAxis.js";
import {paramLabel, paramValue} from "./paramValue.js";

/** The colours of runs by one param's value: one domain and range for every chart of the page. */
export interface Colours {
  /** The values' labels, in the order the legend lists them ("(not set)" last). */
  domain: string[];
  range: string[];
  of(raw: unknown): string;
}

// Tableau 10, as Vega's default categorical scheme: text values (model types, solvers).
const categorical = [
  "#4c78a8",
  "#f58518",
  "#e45756",
  "#72b7b2",
  "#54a24b",
  "#eeca3b",
  "#b279a2",
  "#ff9da6",
  "#9d755d",
  "#bab0ac"
];
// Viridis up to its green-yellow (its last yellow is unreadable on white): numbers, least darkest.
const sequential = ["#440154", "#472c7a", "#3b518b", "#2c718e", "#21908d", "#27ad81", "#5cc863", "#aadc32"];
const notSet = "#b0b0b0";

/** The sequential colour at t (0 to 1), mixed between its two nearest stops: every value its own. */
function along(t: number): string {
  const at = t * (sequential.length - 1);
  const i = Math.min(Math.floor(at), sequential.length - 2);
  const channel = (hex: string, k: number) => parseInt(hex.slice(1 + 2 * k, 3 + 2 * k), 16);
  const mix = [0, 1, 2].map((k) =>
    Math.round(
      channel(sequential[i], k) + (at - i) * (channel(sequential[i + 1], k) - channel(sequential[i], k))
    )
  );
  return `#${mix.map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

export function colourBy(raws: readonly unknown[]): Colours {
  const axis = paramAxis(raws);
  const labels =
    axis.kind === "text"
      ? axis.labels
      : [...new Set(raws.map(paramValue).filter((v) => v !== null) as number[])]
          .sort((a, b) => a - b)
          .map(paramLabel);
  const range = labels.map((_, i) =>
    axis.kind === "text"
      ? categorical[i % categorical.length]
      : along(labels.length === 1 ? 0 : i / (labels.length - 1))
  );
  const missing = raws.some((r) => paramValue(r) === null);
  const domain = missing ? [...labels, paramLabel(null)] : labels;
  const colours = missing ? [...range, notSet] : range;
  return {domain, range: colours, of: (raw) => colours[domain.indexOf(paramLabel(raw))]};
}
