import {createHash} from "node:crypto";
import {createReadStream} from "node:fs";

/**
 * Seeds every key. Never change it casually: changing it invalidates every store entry of every
 * user. Bump it only when the meaning of stored artifacts changes.
 */
export const KEY_VERSION = "mlbook-key-v1";

/** JSON with object keys sorted at every level, so equal values always hash equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The Merkle key of a value: sha256 of the key version and the canonical JSON. */
export function hashValue(value: unknown): string {
  return sha256(`${KEY_VERSION}\n${canonicalJson(value)}`);
}

export async function hashFile(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
