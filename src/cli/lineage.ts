import {lineage, type LineageNode} from "../pipeline/tracking/queries.ts";
import {projectTracking} from "../pipeline/tracking/projectTracking.ts";
import {resolveArtifact} from "../pipeline/tracking/resolve.ts";
import {withProject} from "../pipeline/tracking/withProject.ts";

/** `mlbook lineage clean_data:v2`: what it was computed from (or, with --down, what was computed from it). */
export async function lineageCommand(
  ref: string,
  options: {config: string; down?: boolean; json?: boolean}
): Promise<void> {
  const tree = await withProject(projectTracking(options.config), async (tx) => {
    const artifact = await resolveArtifact(tx, ref);
    return lineage(tx, artifact.name, artifact.version, options.down ? "down" : "up");
  });
  if (options.json) return void console.log(JSON.stringify(tree, null, 2));
  const lines: string[] = [];
  const label = (n: LineageNode) => `${n.name}:v${n.version} (${n.type}, ${n.key.slice(0, 12)})`;
  const walk = (n: LineageNode, prefix: string) => {
    n.children.forEach((c, i) => {
      const last = i === n.children.length - 1;
      lines.push(`${prefix}${last ? "└─ " : "├─ "}${label(c)}`);
      walk(c, `${prefix}${last ? "   " : "│  "}`);
    });
  };
  lines.push(label(tree));
  walk(tree, "");
  if (!tree.children.length)
    lines.push(options.down ? "  (nothing was computed from it)" : "  (computed from no tracked artifact)");
  for (const line of lines) console.log(line);
}
