import type {RunHooks} from "../engine/hooks.ts";
import {Store} from "../engine/store.ts";
import type {StoreConfig} from "./remoteConfig.ts";
import {S3Remote} from "./s3Remote.ts";

/**
 * The remote store, if any: MLBOOK_REMOTE (`s3://bucket/prefix`), else the config's `store.remote`.
 */
export function remoteOf(
  loaded?: {config: Record<string, unknown>},
  env: NodeJS.ProcessEnv = process.env
): S3Remote | undefined {
  const url = env.MLBOOK_REMOTE || (loaded?.config.store as StoreConfig | undefined)?.remote;
  return url ? new S3Remote(url) : undefined;
}

/** Bytes a run's remote hooks moved (a queue worker reports them with each job). */
export interface RemoteTally {
  bytesIn: number;
  bytesOut: number;
}

/**
 * A run's hooks for a shared remote store: a step missing from the local store is pulled from the
 * remote when it has it (checked file by file), and every step that ran is pushed after it. What
 * moved is said once, after the run, and added to `tally`. No remote configured: no hooks.
 */
export function remoteHooks(remote: S3Remote | undefined, tally?: RemoteTally): RunHooks[] {
  if (!remote) return [];
  const pulled: string[] = [];
  const refused = new Set<string>();
  let bytesIn = 0;
  let bytesOut = 0;
  let pushed = 0;
  // A remote that cannot be reached (down, wrong credentials) is said once and left alone for
  // the rest of the run: steps then run here, as without a remote; their entries stay local.
  let down = false;
  const failed = (error: unknown, run: {logger: {info(m: string): void}}) => {
    down = true;
    const message = error instanceof Error ? error.message : String(error);
    run.logger.info(
      `${message.startsWith("remote ") ? message : `remote ${remote.url}: ${message}`}; going on without it`
    );
  };
  return [
    {
      async fetchEntry(step, key, run) {
        if (down) return false;
        let got;
        try {
          got = await remote.pull(new Store(run.root), step, key);
        } catch (error) {
          failed(error, run);
          return false;
        }
        if (got.status === "pulled") {
          pulled.push(step);
          bytesIn += got.bytes;
          return true;
        }
        if (got.status === "refused") {
          refused.add(`${step}/${key}`);
          run.logger.info(
            `remote ${remote.url}: refused ${step}/${key.slice(0, 12)}… (${got.reason}); running it`
          );
        }
        return false;
      },
      async afterStep(record, run) {
        if (record.status !== "ran" || down) return;
        const entry = await new Store(run.root).lookup(record.name, record.key);
        if (entry.status !== "ok") return;
        let sent = 0;
        try {
          sent = await remote.push(entry.entry, {replace: refused.has(`${record.name}/${record.key}`)});
        } catch (error) {
          failed(error, run);
        }
        if (sent) {
          pushed++;
          bytesOut += sent;
        }
      },
      afterRun(outcome) {
        if (tally) {
          tally.bytesIn += bytesIn;
          tally.bytesOut += bytesOut;
        }
        const parts = [
          pulled.length ? `pulled ${pulled.length} (${pulled.join(", ")}, ${size(bytesIn)})` : "",
          pushed ? `pushed ${pushed} (${size(bytesOut)})` : ""
        ].filter(Boolean);
        if (parts.length) outcome.logger.info(`remote ${remote.url}: ${parts.join("; ")}`);
      }
    }
  ];
}

function size(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
