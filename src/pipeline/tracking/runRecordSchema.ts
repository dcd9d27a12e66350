import {z} from "zod";

const text = z.string();
const nullableText = z.string().nullable();

/**
 * The shape of a journaled run record (RunRecord): what ingesting one relies on. A journal file
 * that does not have it is moved aside rather than stopping every tracking command (readPending).
 */
export const runRecordSchema = z.looseObject({
  id: text.min(1),
  pipeline: text,
  configDigest: text,
  gitCommit: nullableText,
  startedAt: text,
  endedAt: text,
  status: z.enum(["ok", "failed"]),
  error: nullableText,
  params: z.record(z.string(), z.unknown()),
  metrics: z.array(z.looseObject({key: text, value: z.number().nullable(), step: z.number().nullable()})),
  steps: z.array(
    z.looseObject({name: text, key: text, status: text, reason: nullableText, durationMs: z.number()})
  ),
  artifacts: z.array(
    z.looseObject({
      name: text,
      type: text,
      description: nullableText,
      step: text,
      output: text,
      key: text,
      digest: text,
      rows: z.number().nullable(),
      bytes: z.number(),
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
  pins: z.array(z.looseObject({ref: text, name: text, version: z.number(), step: text, key: text})),
  sweepId: nullableText,
  sweepRole: z.string().nullable().optional()
});
