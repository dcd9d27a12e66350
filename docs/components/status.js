/** A tracked time (`2026-05-01 12:34:56.789`, or ISO) to the minute, in UTC as tracking keeps it. */
export function when(time) {
  return time ? `${String(time).replace("T", " ").slice(0, 16)} UTC` : "—";
}

/**
 * A run's data checks as one status: `ok` when all passed, `warn` when only warnings failed,
 * `bad` when an error did; `none` for a pipeline without a check step. `detail` is the first
 * failure's message.
 */
export function checksStatus(checks) {
  if (!checks) return {level: "none", text: "—", detail: "no check step"};
  const failed = checks.failed.filter((f) => f.severity !== "warn").length;
  const warned = checks.failed.length - failed;
  if (!checks.failed.length) return {level: "ok", text: `all ${checks.expectations} passed`, detail: null};
  const counts = [failed ? `${failed} failed` : null, warned ? `${warned} warned` : null].filter(Boolean);
  return {
    level: failed ? "bad" : "warn",
    text: `${counts.join(", ")} of ${checks.expectations}`,
    detail: checks.failed[0].message
  };
}

/**
 * Whether a pipeline's data drifted: in the latest batch monitored against its models (`mlbook
 * monitor`), and between its training data and the check step's reference (`check.drift`). The
 * status is the worse of the two; `detail` says each.
 */
export function driftStatus({monitoring, checks}) {
  const latest = monitoring.latest;
  const fromReference = checks?.drifted ?? [];
  const detail = [];
  if (latest)
    detail.push(
      `latest batch ${latest.file}, ${when(latest.at).slice(0, 10)}: ${latest.drifted.length ? latest.drifted.join(", ") : "no drift"}`
    );
  if (fromReference.length)
    detail.push(`check step: ${fromReference.join(", ")} drifted from the reference data`);
  if (latest?.drifted.length)
    return {level: "bad", text: `${latest.drifted.length} drifted in the latest batch`, detail};
  if (fromReference.length)
    return {level: "warn", text: `${fromReference.length} drifted from the reference`, detail};
  if (latest) return {level: "ok", text: "none in the latest batch", detail};
  return {level: "none", text: "no batch monitored", detail};
}
