import {TREE_LEAF, TREE_UNDEFINED, type FlatTree} from "./flatTree.ts";

/** The growing node arrays of one tree, in sklearn's node order. */
export class NodeArrays {
  count = 0;
  private capacity = 64;
  feature = new Int32Array(64);
  threshold = new Float64Array(64);
  left = new Int32Array(64);
  right = new Int32Array(64);
  missingLeft = new Uint8Array(64);
  impurity = new Float64Array(64);
  weighted = new Float64Array(64);
  value: Float64Array;

  constructor(private readonly outputs: number) {
    this.value = new Float64Array(64 * outputs);
  }

  add(parent: number, isLeft: boolean): number {
    if (this.count === this.capacity) this.grow();
    const id = this.count++;
    if (parent >= 0) {
      if (isLeft) this.left[parent] = id;
      else this.right[parent] = id;
    }
    return id;
  }

  setLeaf(id: number): void {
    this.left[id] = TREE_LEAF;
    this.right[id] = TREE_LEAF;
    this.feature[id] = TREE_UNDEFINED;
    this.threshold[id] = TREE_UNDEFINED;
  }

  setSplit(id: number, feature: number, threshold: number, missingLeft: boolean): void {
    this.feature[id] = feature;
    this.threshold[id] = threshold;
    this.missingLeft[id] = missingLeft ? 1 : 0;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    this.feature = grown(this.feature, new Int32Array(cap));
    this.threshold = grown(this.threshold, new Float64Array(cap));
    this.left = grown(this.left, new Int32Array(cap));
    this.right = grown(this.right, new Int32Array(cap));
    this.missingLeft = grown(this.missingLeft, new Uint8Array(cap));
    this.impurity = grown(this.impurity, new Float64Array(cap));
    this.weighted = grown(this.weighted, new Float64Array(cap));
    this.value = grown(this.value, new Float64Array(cap * this.outputs));
    this.capacity = cap;
  }

  /** Trims to size and computes sklearn's compute_feature_importances (normalised). */
  finish(features: number): FlatTree {
    const {count, feature, left, right, impurity, weighted} = this;
    const importances = new Float64Array(features);
    for (let i = 0; i < count; ++i) {
      if (left[i] === TREE_LEAF) continue;
      const l = left[i];
      const r = right[i];
      importances[feature[i]] +=
        weighted[i] * impurity[i] - weighted[l] * impurity[l] - weighted[r] * impurity[r];
    }
    let total = 0;
    for (let j = 0; j < features; ++j) {
      importances[j] /= weighted[0];
      total += importances[j];
    }
    if (total > 0) for (let j = 0; j < features; ++j) importances[j] /= total;
    return {
      nodeCount: count,
      outputs: this.outputs,
      feature: feature.slice(0, count),
      threshold: this.threshold.slice(0, count),
      left: left.slice(0, count),
      right: right.slice(0, count),
      missingLeft: this.missingLeft.slice(0, count),
      value: this.value.slice(0, count * this.outputs),
      importances
    };
  }
}

function grown<T extends Int32Array | Float64Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
