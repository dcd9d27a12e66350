import {lineage, type LineageNode} from "../pipeline/tracking/queries.ts";
import {projectOf} from "../pipeline/tracking/projectTracking.ts";
import {resolveArtifact} from "../pipeline/tracking/resolve.ts";
import {inWorkspace} from "./workspaceTrackings.ts";

/** `mlbook lineage clean_data:v2` (the config's pipeline's, or `flights/clean_data:v2`): what it was computed from (or, with --down, what was computed from it). */
export async function lineageCommand(
  ref: string,
  options: {config: string; down?: boolean; json?: boolean}
): Promise<void> {
  const {pipeline} = projectOf(options.config);
  const tree = await inWorkspace(options.config, async (tx) => {
    const artifact = await resolveArtifact(tx, ref, pipeline);
    return lineage(tx, artifact.name, artifact.version, options.down ? "down" : "up");
  });
  if (options.json) return void console.log(JSON.stringify(tree, null, 2));
  const lines: string[] = [];
  const label = (n: LineageNode) => `${n.name}:v${n.version} (${n.type}, ${n.key.slice(0, 12)})`;
  // A version reached again (a dataset many runs trained from) is named, not walked again: each
  // subtree is printed once.
  const shown = new Set<string>();
  const walk = (n: LineageNode, prefix: string) => {
    n.children.forEach((c, i) => {
      const last = i === n.children.length - 1;
      const id = `${c.name}:${c.version}`;
      const again = shown.has(id) && c.children.length > 0;
      lines.push(`${prefix}${last ? "└─ " : "├─ "}${label(c)}${again ? " (as above)" : ""}`);
      shown.add(id);
      if (!again) walk(c, `${prefix}${last ? "   " : "│  "}`);
    });
  };
  lines.push(label(tree));
  walk(tree, "");
  if (!tree.children.length)
    lines.push(options.down ? "  (nothing was computed from it)" : "  (computed from no tracked artifact)");
  for (const line of lines) console.log(line);
}
