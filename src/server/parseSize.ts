import {ConfigError} from "../pipeline/errors.ts";

/** `16mb`, `512kb`, `1048576`: a body size limit in bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?$/i.exec(text.trim());
  if (!m) throw new ConfigError(`invalid --max-body: ${text} (expected a size such as 16mb)`);
  const unit = {b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3}[(m[2] ?? "b").toLowerCase() as "b"];
  return Math.floor(Number(m[1]) * unit);
}
