import {checkSameLength, classCount, type Labels} from "./labels.ts";

/**
 * `m[t][p]` counts rows of true class t predicted as p. Rows and columns are class indices
 * 0..nClasses-1 (default: max label + 1), so a class absent from both arrays still has its row and
 * column of zeros; sklearn's matrix drops such a class, which is the only difference.
 */
export function confusionMatrix(yTrue: Labels, yPred: Labels, nClasses?: number): number[][] {
  checkSameLength("confusion_matrix", yTrue, yPred);
  const k = Math.max(nClasses ?? 0, classCount(yTrue, yPred));
  const m = Array.from({length: k}, () => new Array<number>(k).fill(0));
  for (let i = 0; i < yTrue.length; ++i) m[yTrue[i]][yPred[i]] += 1;
  return m;
}
