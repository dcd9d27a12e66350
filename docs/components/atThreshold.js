/**
 * One class against the rest at threshold k / bins, from the loader's bins (src/loaders/classThresholds.ts):
 * rows whose probability for the class is at least the threshold are predicted as the class, and
 * those are exactly the rows of bins k on. Rates a zero count leaves undefined are null.
 */
export function atThreshold({positive, negative}, k) {
  const sum = (a, from, to) => a.slice(from, to).reduce((x, y) => x + y, 0);
  const tp = sum(positive, k),
    fp = sum(negative, k);
  const fn = sum(positive, 0, k),
    tn = sum(negative, 0, k);
  const ratio = (a, b) => (b ? a / b : null);
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return {
    tp,
    fp,
    fn,
    tn,
    precision,
    recall,
    f1: precision === null || recall === null ? null : ratio(2 * tp, 2 * tp + fp + fn),
    fpr: ratio(fp, fp + tn),
    accuracy: ratio(tp + tn, tp + fp + fn + tn),
    prevalence: ratio(tp + fn, tp + fp + fn + tn)
  };
}
