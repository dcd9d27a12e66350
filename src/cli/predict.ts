import {loadModel} from "../pipeline/score/model.ts";
import {scoreFile} from "../pipeline/score/scoreFile.ts";
import {resolveModelRef} from "./modelRef.ts";

/** `mlbook predict --model NAME@ALIAS|NAME:vN|PATH IN [-o OUT] [--keep a,b]`. */
export async function predictCommand(
  input: string,
  options: {config: string; model: string; output?: string; keep?: string}
): Promise<void> {
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
