import {ConfigError} from "../pipeline/errors.ts";
import {loadModel} from "../pipeline/score/model.ts";
import {scoreFile} from "../pipeline/score/scoreFile.ts";
import {resolveModelRef} from "./modelRef.ts";

/** `mlbook predict --model NAME@ALIAS|NAME:vN|PATH IN [-o OUT] [--keep a,b]`. */
export async function predictCommand(
  input: string,
  options: {config: string; model: string; output?: string; keep?: string; memory?: string}
): Promise<void> {
  if (options.memory !== undefined && !/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(options.memory))
    throw new ConfigError(
      `invalid --memory: ${JSON.stringify(options.memory)} (expected a size such as 512MB or 2GB)`
    );
  const ref = await resolveModelRef(options.model, options.config);
  const model = await loadModel(ref.file, {base: ref.base});
  const keep = options.keep
    ?.split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  const tty = process.stderr.isTTY;
  const started = performance.now();
  try {
    const result = await scoreFile(model, input, {
      output: options.output,
      keep,
      memory: options.memory,
      onProgress(done, total) {
        // Long files say how far they are (a line a batch; in place on a terminal).
        if (total <= 262_144) return;
        const line = `  scored ${done.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} rows`;
        process.stderr.write(tty ? `\r${line}${done === total ? "\n" : ""}` : `${line}\n`);
      }
    });
    if (result.output) {
      const seconds = (performance.now() - started) / 1000;
      process.stderr.write(
        `wrote ${result.rows} predictions to ${result.output} in ${seconds.toFixed(1)} s\n`
      );
    }
  } finally {
    model.close();
  }
}
