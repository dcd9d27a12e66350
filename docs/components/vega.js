import embed from "vega-embed";

/** A Vega-Lite chart as SVG (so tests and readers find real marks), without the action menu. */
export async function vegaChart(spec, className = "") {
  const div = document.createElement("div");
  div.className = `chart ${className}`;
  await embed(
    div,
    {config: {view: {stroke: null}, axis: {labelFontSize: 11, titleFontSize: 12}}, ...spec},
    {actions: false, renderer: "svg"}
  );
  return div;
}
