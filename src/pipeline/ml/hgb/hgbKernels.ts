import {assembleWasm, F64, I32, WasmFunction} from "../wasm/wasmAssembler.ts";

/**
 * The hot loops of histogram gradient boosting, as WebAssembly over one shared memory. All
 * arguments are byte addresses into that memory (or counts). Histograms hold, per bin, three
 * float64s: sum of gradients, sum of hessians, count (24 bytes a bin, as in histogram.ts).
 *
 * Histogram kernels, named hist{Contiguous|Indexed}[NoHessian]{1|2|3|4}: accumulate `group`
 * consecutive feature columns, `stride` bytes apart, into as many consecutive histograms.
 * Contiguous reads rows 0..count in order with their gradients `g`/`h` (the root node); Indexed
 * reads rows `idx[0..count)` with gradients already gathered in that order. The features of a
 * pass share each row's index and gradient loads, and keep their updates in flight together.
 * Each feature's bins are summed in row order whatever the group, so grouping never changes a
 * histogram.
 */
type HistKernels = {
  [name in `hist${"Contiguous" | "ContiguousNoHessian"}${HistGroup}`]: HistContiguous;
} & {[name in `hist${"Indexed" | "IndexedNoHessian"}${HistGroup}`]: HistIndexed};

export interface HgbKernels extends HistKernels {
  /** `dst[i] = src[idx[i]]` for i < count, 4-byte elements (gathers a node's float32 gradients). */
  gather(idx: number, count: number, src: number, dst: number): void;
  /** `raw[idx[i]] += value` for i < count (float64 raw predictions, sklearn's leaf update). */
  addToRows(idx: number, count: number, raw: number, value: number): void;
  /** memory.copy: `bytes` bytes from `src` to `dst` (the ranges may overlap). */
  copy(dst: number, src: number, bytes: number): void;
  /** `a[i] -= b[i]` over `count` float64s. */
  subtract(a: number, b: number, count: number): void;
  /**
   * Stable partition of `idx[start..stop)` (uint32 rows) by the bin of column `col`: rows with
   * `bin <= binIdx`, or missing (255) when `missingLeft`, first. `buf` holds the right rows
   * meanwhile. Returns the index where the right rows start.
   */
  partition(
    col: number,
    idx: number,
    start: number,
    stop: number,
    binIdx: number,
    missingLeft: number,
    buf: number
  ): number;
  /**
   * sklearn's `find_node_split` over every feature's histogram (see findNodeSplit.ts for the
   * rules). Writes the best split to `out` as seven float64s: gain (-1: none), feature, bin,
   * missing-go-left, and the left child's gradient sum, hessian sum and count.
   */
  findSplit(
    hist: number,
    nFeatures: number,
    nBinsNonMissing: number,
    hasMissing: number,
    constantHessian: number,
    out: number,
    nSamples: number,
    sumGradients: number,
    sumHessians: number,
    lossCurrent: number,
    minSamplesLeaf: number,
    minHessianToSplit: number,
    minGainToSplit: number,
    l2: number
  ): void;
}

/** Features per histogram pass. */
export type HistGroup = 1 | 2 | 3 | 4;
export const HIST_GROUPS: readonly HistGroup[] = [4, 3, 2, 1];

/** `h` is ignored by the NoHessian variants. */
export type HistContiguous = (
  col: number,
  stride: number,
  count: number,
  g: number,
  h: number,
  hist: number
) => void;
export type HistIndexed = (
  col: number,
  stride: number,
  idx: number,
  count: number,
  g: number,
  h: number,
  hist: number
) => void;

/** Bytes per histogram bin: three float64s. */
export const BIN_BYTES = 24;

/** Bytes of one feature's histogram. */
export const FEATURE_BYTES = 256 * BIN_BYTES;

function histFunction(indexed: boolean, hessian: boolean, group: number): WasmFunction {
  const name = `hist${indexed ? "Indexed" : "Contiguous"}${hessian ? "" : "NoHessian"}${group}`;
  const f = new WasmFunction(
    name,
    Array.from({length: indexed ? 7 : 6}, () => I32),
    []
  );
  let p = 0;
  const col = p++;
  const stride = p++;
  const idx = indexed ? p++ : -1;
  const count = p++;
  const g = p++;
  const h = p++;
  const hist = p++;
  const end = f.local(I32);
  const row = f.local(I32);
  const addr = f.local(I32);
  const gv = f.local(F64);
  const hv = f.local(F64);
  f.get(count)
    .eqz()
    .if(() => f.return());
  // Walk pointers instead of indices: g (and h, idx or the column) advance each row.
  f.get(g).get(count).i32(2).shl().add().set(end);
  f.loop(() => {
    if (indexed) f.get(col).get(idx).loadI32().add().set(row);
    else f.get(col).set(row);
    f.get(g).loadF32().f64PromoteF32().set(gv);
    if (hessian) f.get(h).loadF32().f64PromoteF32().set(hv);
    for (let q = 0; q < group; ++q) {
      f.get(row);
      if (q > 0) f.get(stride).i32(q).mul().add();
      f.loadU8().i32(BIN_BYTES).mul().get(hist).add().set(addr);
      const o = q * FEATURE_BYTES;
      f.get(addr).get(addr).loadF64(o).get(gv).f64Add().storeF64(o);
      if (hessian)
        f.get(addr)
          .get(addr)
          .loadF64(o + 8)
          .get(hv)
          .f64Add()
          .storeF64(o + 8);
      f.get(addr)
        .get(addr)
        .loadF64(o + 16)
        .f64(1)
        .f64Add()
        .storeF64(o + 16);
    }
    if (indexed) f.get(idx).i32(4).add().set(idx);
    else f.get(col).i32(1).add().set(col);
    if (hessian) f.get(h).i32(4).add().set(h);
    f.get(g).i32(4).add().tee(g).get(end).ltU().brIf(0);
  });
  return f;
}

function gatherFunction(): WasmFunction {
  const f = new WasmFunction("gather", [I32, I32, I32, I32], []);
  const [idx, count, src, dst] = [0, 1, 2, 3];
  const end = f.local(I32);
  f.get(count)
    .eqz()
    .if(() => f.return());
  f.get(dst).get(count).i32(2).shl().add().set(end);
  f.loop(() => {
    f.get(dst).get(src).get(idx).loadI32().i32(2).shl().add().loadI32().storeI32();
    f.get(idx).i32(4).add().set(idx);
    f.get(dst).i32(4).add().tee(dst).get(end).ltU().brIf(0);
  });
  return f;
}

function addToRowsFunction(): WasmFunction {
  const f = new WasmFunction("addToRows", [I32, I32, I32, F64], []);
  const [idx, count, raw, value] = [0, 1, 2, 3];
  const end = f.local(I32);
  const addr = f.local(I32);
  f.get(count)
    .eqz()
    .if(() => f.return());
  f.get(idx).get(count).i32(2).shl().add().set(end);
  f.loop(() => {
    f.get(idx).loadI32().i32(3).shl().get(raw).add().set(addr);
    f.get(addr).get(addr).loadF64().get(value).f64Add().storeF64();
    f.get(idx).i32(4).add().tee(idx).get(end).ltU().brIf(0);
  });
  return f;
}

function subtractFunction(): WasmFunction {
  const f = new WasmFunction("subtract", [I32, I32, I32], []);
  const [a, b, count] = [0, 1, 2];
  const end = f.local(I32);
  f.get(count)
    .eqz()
    .if(() => f.return());
  f.get(a).get(count).i32(3).shl().add().set(end);
  f.loop(() => {
    f.get(a).get(a).loadF64().get(b).loadF64().f64Sub().storeF64();
    f.get(b).i32(8).add().set(b);
    f.get(a).i32(8).add().tee(a).get(end).ltU().brIf(0);
  });
  return f;
}

function copyFunction(): WasmFunction {
  const f = new WasmFunction("copy", [I32, I32, I32], []);
  f.get(0).get(1).get(2).memoryCopy();
  return f;
}

function partitionFunction(): WasmFunction {
  const f = new WasmFunction("partition", [I32, I32, I32, I32, I32, I32, I32], [I32]);
  const [col, idx, start, stop, binIdx, missingLeft, buf] = [0, 1, 2, 3, 4, 5, 6];
  const read = f.local(I32);
  const end = f.local(I32);
  const left = f.local(I32);
  const right = f.local(I32);
  const row = f.local(I32);
  const bin = f.local(I32);
  const goLeft = f.local(I32);
  f.get(idx).get(start).i32(2).shl().add().tee(read).set(left);
  f.get(idx).get(stop).i32(2).shl().add().set(end);
  f.get(buf).set(right);
  f.block(() => {
    f.get(read).get(end).ltU().eqz().brIf(0);
    // Branch-free: the row is written to both sides and only one side's cursor advances.
    f.loop(() => {
      f.get(read).loadI32().set(row);
      f.get(col).get(row).add().loadU8().set(bin);
      f.get(bin).get(binIdx).leU().get(bin).i32(255).eq().get(missingLeft).and().or().set(goLeft);
      f.get(left).get(row).storeI32();
      f.get(right).get(row).storeI32();
      f.get(left).get(goLeft).i32(2).shl().add().set(left);
      f.get(right).get(goLeft).i32(1).xor().i32(2).shl().add().set(right);
      f.get(read).i32(4).add().tee(read).get(end).ltU().brIf(0);
    });
  });
  f.get(left).get(buf).get(right).get(buf).sub().memoryCopy();
  f.get(left).get(idx).sub().i32(2).shrU();
  return f;
}

function findSplitFunction(): WasmFunction {
  const f = new WasmFunction(
    "findSplit",
    [I32, I32, I32, I32, I32, I32, F64, F64, F64, F64, F64, F64, F64, F64],
    []
  );
  const [hist, nFeatures, nBinsNonMissing, hasMissing, constantHessian, out] = [0, 1, 2, 3, 4, 5];
  const [nSamples, sumG, sumH, lossCurrent, minSamples, minHessian, minGain, l2] = [
    6, 7, 8, 9, 10, 11, 12, 13
  ];
  const [feature, base, end, bin, addr, missing] = [0, 0, 0, 0, 0, 0].map(() => f.local(I32));
  const [gl, hl, nl, gr, hr, nr, gain, best] = [0, 0, 0, 0, 0, 0, 0, 0].map(() => f.local(F64));
  // -g / (h + l2 + 1e-15), sklearn's compute_node_value without bounds.
  const value = (g: number, h: number) =>
    f.get(g).f64Neg().get(h).get(l2).f64Add().f64(1e-15).f64Add().f64Div();
  const computeGain = () => {
    f.get(lossCurrent).get(gl);
    value(gl, hl);
    f.f64Mul().f64Sub().get(gr);
    value(gr, hr);
    f.f64Mul().f64Sub().set(gain);
  };
  // Adds bin `bin + shift` of the current feature to (g, h, n).
  const accumulate = (shift: number, g: number, h: number, n: number) => {
    f.get(bin).i32(shift).add().i32(BIN_BYTES).mul().get(base).add().set(addr);
    f.get(n).get(addr).loadF64(16).f64Add().set(n);
    f.get(h).get(addr).loadF64(16).get(addr).loadF64(8).get(constantHessian).select().f64Add().set(h);
    f.get(g).get(addr).loadF64().f64Add().set(g);
  };
  const record = (missingLeft: number) => {
    f.get(gain).get(best).f64Gt().get(gain).get(minGain).f64Gt().and().eqz().brIf(0);
    f.get(gain).set(best);
    f.get(out).get(gain).storeF64(0);
    f.get(out).get(feature).f64ConvertI32S().storeF64(8);
    f.get(out).get(bin).f64ConvertI32S().storeF64(16);
    f.get(out).f64(missingLeft).storeF64(24);
    f.get(out).get(gl).storeF64(32);
    f.get(out).get(hl).storeF64(40);
    f.get(out).get(nl).storeF64(48);
  };
  f.f64(-1).set(best);
  f.get(out).f64(-1).storeF64(0);
  f.get(nFeatures)
    .eqz()
    .if(() => f.return());
  f.loop(() => {
    f.get(hist)
      .get(feature)
      .i32(256 * BIN_BYTES)
      .mul()
      .add()
      .set(base);
    f.get(hasMissing).get(feature).add().loadU8().set(missing);
    f.get(nBinsNonMissing).get(feature).i32(2).shl().add().loadI32().i32(1).sub().get(missing).add().set(end);
    // Left to right: missing values (if any) go right.
    f.f64(0).tee(gl).tee(hl).set(nl);
    f.i32(0).set(bin);
    f.block(() =>
      f.loop(() => {
        f.get(bin).get(end).ltS().eqz().brIf(1);
        f.block(() => {
          accumulate(0, gl, hl, nl);
          f.get(nSamples).get(nl).f64Sub().set(nr);
          f.get(sumH).get(hl).f64Sub().set(hr);
          f.get(nl).get(minSamples).f64Lt().brIf(0);
          f.get(nr).get(minSamples).f64Lt().brIf(2);
          f.get(hl).get(minHessian).f64Lt().brIf(0);
          f.get(hr).get(minHessian).f64Lt().brIf(2);
          f.get(sumG).get(gl).f64Sub().set(gr);
          computeGain();
          record(0);
        });
        f.get(bin).i32(1).add().set(bin).br(0);
      })
    );
    // Right to left, only when the feature had missing values: they then go left.
    f.get(missing).if(() => {
      f.f64(0).tee(gr).tee(hr).set(nr);
      f.get(end).i32(2).sub().set(bin);
      f.block(() =>
        f.loop(() => {
          f.get(bin).i32(0).ltS().brIf(1);
          f.block(() => {
            accumulate(1, gr, hr, nr);
            f.get(nSamples).get(nr).f64Sub().set(nl);
            f.get(sumH).get(hr).f64Sub().set(hl);
            f.get(nr).get(minSamples).f64Lt().brIf(0);
            f.get(nl).get(minSamples).f64Lt().brIf(2);
            f.get(hr).get(minHessian).f64Lt().brIf(0);
            f.get(hl).get(minHessian).f64Lt().brIf(2);
            f.get(sumG).get(gr).f64Sub().set(gl);
            computeGain();
            record(1);
          });
          f.get(bin).i32(1).sub().set(bin).br(0);
        })
      );
    });
    f.get(feature).i32(1).add().tee(feature).get(nFeatures).ltU().brIf(0);
  });
  return f;
}

const compiled = new Map<boolean, WebAssembly.Module>();

function module(shared: boolean): WebAssembly.Module {
  let m = compiled.get(shared);
  if (!m) {
    const functions = [
      gatherFunction(),
      ...[false, true].flatMap((indexed) =>
        [true, false].flatMap((hessian) => HIST_GROUPS.map((group) => histFunction(indexed, hessian, group)))
      ),
      addToRowsFunction(),
      subtractFunction(),
      copyFunction(),
      partitionFunction(),
      findSplitFunction()
    ];
    m = new WebAssembly.Module(assembleWasm(functions, {shared}));
    compiled.set(shared, m);
  }
  return m;
}

/** The kernels over `memory`, which may be a shared memory (threads running one fit). */
export function createHgbKernels(memory: WebAssembly.Memory): HgbKernels {
  const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
  const instance = new WebAssembly.Instance(module(shared), {env: {memory}});
  return instance.exports as unknown as HgbKernels;
}
