import {mkdir, readdir, readFile, rename, writeFile} from "node:fs/promises";
import {join} from "node:path";
import {z} from "zod";
import type {MonitorBatch} from "./recordMonitorBatch.ts";
import type {RunRecord} from "./runRecord.ts";
import {runRecordSchema} from "./runRecordSchema.ts";

/**
 * The tracking database's history: every change to it, one file each in `<root>/history/`, named
 * so that their order is the order the database took them (written inside the transaction, which
 * the database's one writer serialises). Files are only ever added: `mlbook tracking rebuild`
 * replays them into a new database when the file is lost or corrupt (rebuild.ts).
 */
export type HistoryEvent =
  | {kind: "run"; record: RunRecord}
  | {kind: "alias"; target: "artifact" | "model"; name: string; version: number; alias: string}
  | {
      kind: "sweep_winner";
      sweepId: string;
      runId: string;
      metric: string;
      value: number;
      registerRunId: string | null;
    }
  | {kind: "runs_deleted"; ids: string[]}
  | {kind: "monitor_batch"; batch: MonitorBatch};

const eventSchema = z.discriminatedUnion("kind", [
  z.object({kind: z.literal("run"), record: runRecordSchema}),
  z.object({
    kind: z.literal("alias"),
    target: z.enum(["artifact", "model"]),
    name: z.string(),
    version: z.number().int(),
    alias: z.string()
  }),
  z.object({
    kind: z.literal("sweep_winner"),
    sweepId: z.string(),
    runId: z.string(),
    metric: z.string(),
    value: z.number(),
    registerRunId: z.string().nullable()
  }),
  z.object({kind: z.literal("runs_deleted"), ids: z.array(z.string())}),
  z.object({
    kind: z.literal("monitor_batch"),
    batch: z.object({
      id: z.string(),
      model: z.string(),
      version: z.number().int().nullable(),
      pipeline: z.string().nullable(),
      runId: z.string().nullable(),
      file: z.string(),
      digest: z.string(),
      rows: z.number().int().min(0),
      at: z.iso.datetime(),
      createdAt: z.iso.datetime(),
      drifted: z.array(z.string()),
      report: z.unknown()
    })
  })
]);

export function historyDir(root: string): string {
  return join(root, "history");
}

let counter = 0;

/** Adds events, in order, each as its own file (written whole, then renamed into place). */
export async function appendHistory(root: string, events: readonly HistoryEvent[]): Promise<void> {
  if (!events.length) return;
  const dir = historyDir(root);
  await mkdir(dir, {recursive: true});
  const stamp = String(Date.now()).padStart(14, "0");
  for (const event of events) {
    const seq = String(++counter).padStart(6, "0");
    const id = event.kind === "run" ? `-${event.record.id}` : "";
    const file = join(dir, `${stamp}-${process.pid}-${seq}-${event.kind}${id}.json`);
    await writeFile(`${file}.tmp`, JSON.stringify(event));
    await rename(`${file}.tmp`, file);
  }
}

export interface HistoryRead {
  events: {file: string; event: HistoryEvent}[];
  /** Files that are not events (named, with why): left where they are, skipped. */
  skipped: string[];
}

/** Every event, oldest first. */
export async function readHistory(root: string): Promise<HistoryRead> {
  const dir = historyDir(root);
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith(".json")).sort();
  const out: HistoryRead = {events: [], skipped: []};
  for (const name of names) {
    const file = join(dir, name);
    try {
      const parsed = eventSchema.safeParse(JSON.parse(await readFile(file, "utf8")));
      if (parsed.success) out.events.push({file, event: parsed.data as unknown as HistoryEvent});
      else
        out.skipped.push(
          `${file}: ${parsed.error.issues[0].path.join(".")}: ${parsed.error.issues[0].message}`
        );
    } catch (error) {
      out.skipped.push(`${file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return out;
}
