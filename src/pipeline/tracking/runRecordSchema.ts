import {z} from "zod";

const text = z.string();
const nullableText = z.string().nullable();
/** An ISO time as records write it (`2026-12-02T14:26:37.739Z`): what a TIMESTAMP column takes. */
const time = z.iso.datetime();
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * The shape of a journaled run record (RunRecord): what ingesting one relies on. A journal file
 * that does not have it is moved aside rather than stopping every tracking command (readPending).
 */
export const runRecordSchema = z.looseObject({
  id: text.min(1),
  pipeline: text,
  configDigest: text,
  gitCommit: nullableText,
  startedAt: time,
  endedAt: time,
  status: z.enum(["ok", "failed"]),
  error: nullableText,
  params: z.record(z.string(), z.unknown()),
  metrics: z.array(
    z.looseObject({
      key: text,
      value: z.number().nullable(),
      step: z
        .number()
        .int()
        .min(-(2 ** 31))
        .max(2 ** 31 - 1)
        .nullable()
    })
  ),
  steps: z
    .array(
      z.looseObject({
        name: text,
        key: text,
        status: text,
        reason: nullableText,
        durationMs: z.number().finite()
      })
    )
    .refine((steps) => new Set(steps.map((s) => s.name)).size === steps.length, "a step is listed twice"),
  artifacts: z.array(
    z.looseObject({
      name: text,
      type: text,
      description: nullableText,
      step: text,
      output: text,
      key: text,
      digest: text,
      rows: count.nullable(),
      bytes: count,
      upstream: z.array(text)
    })
  ),
  registration: z
    .looseObject({
      name: text,
      passed: z.boolean(),
      checks: z.array(z.unknown()),
      reason: text,
      output: text,
      artifact: text
    })
    .nullable(),
  pins: z.array(z.looseObject({ref: text, name: text, version: count, step: text, key: text})),
  sweepId: nullableText,
  sweepRole: z.string().nullable().optional(),
  source: z.enum(["preview"]).nullable().optional()
});
