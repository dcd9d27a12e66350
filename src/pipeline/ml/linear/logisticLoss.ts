import type {Worker} from "node:worker_threads";
import type {Objective} from "./lbfgs.ts";
import {awaitChunks, CHUNK_CTRL_BYTES, chunkCount, chunkRows, runChunks} from "../threads/rowChunks.ts";
import {startThread} from "../threads/startThread.ts";
import type {Features} from "../types.ts";
import {createLogisticKernels, type LogisticKernels} from "./logisticKernels.ts";

/**
 * Rows per block. A block of every column (20 × 1024 × 8 B = 160 KiB) stays in L2 between the
 * forward pass (X·W) and the backward pass (Xᵀ·residual), so X streams from memory once per
 * evaluation.
 */
const BLOCK = 1024;

export interface LossSetup {
  X: Features;
  /** Class index per row. */
  y: Int32Array;
  /** Weight per class (class_weight); all ones when unweighted. */
  classWeight: Float64Array;
  classes: number;
  fitIntercept: boolean;
  C: number;
  /** Threads the passes over the rows may use (default 1): the result is the same for any count. */
  threads?: number;
}

/** A logistic objective, and what ends its helper threads. */
export interface LogisticObjective {
  objective: Objective;
  /** Rows the helper threads took so far (tests check they really took part). */
  helperRows(): number;
  close(): void;
}

/** Below this many rows the passes stay on the calling thread. */
const MIN_THREADED_ROWS = 100_000;

/**
 * scikit-learn's L2 logistic objective, scaled as its LinearModelLoss does:
 * (Σᵢ sᵢ·lossᵢ + ½/C·‖W‖²) / Σᵢ sᵢ, with the intercepts unpenalised. The scale does not move the
 * minimum but makes `tol` mean the same as sklearn's `gtol`.
 *
 * Parameter layout: class k owns x[k·(p+1) .. k·(p+1)+p−1] for coefficients and x[k·(p+1)+p] for
 * its intercept (no intercept slot when fitIntercept is false). Binary problems use one vector.
 *
 * The rows are cut into fixed chunks (rowChunks.ts); each chunk's loss and gradient are summed on
 * their own and the chunks' sums added in chunk order, so whichever thread takes a chunk — and
 * however many there are — the numbers are the same. Helper threads share X (copied once into
 * shared memory) and take chunks as they come free; the calling thread takes them too.
 */
export function logisticObjective(setup: LossSetup): LogisticObjective {
  const {X, y, classWeight, classes, fitIntercept, C} = setup;
  let swSum = 0;
  for (let i = 0; i < X.rows; ++i) swSum += classWeight[y[i]];
  const p = X.cols.length;
  const stride = p + (fitIntercept ? 1 : 0);
  const vectors = classes === 2 ? 1 : classes;
  const size = vectors * stride;
  const chunks = chunkCount(X.rows);
  const large = X.rows >= MIN_THREADED_ROWS;
  const helpers = large ? Math.min(setup.threads ?? 1, chunks, MAX_THREADS) - 1 : 0;
  // A large binary fit runs its passes as WebAssembly SIMD over a copy of X in wasm memory (on any
  // thread count: the kernels, not the threads, decide the order of the sums).
  const wasm = large && vectors === 1 ? wasmX(X, helpers > 0) : undefined;
  const team = helpers > 0 ? startTeam(setup, vectors, stride, chunks, helpers, wasm) : undefined;
  // Per chunk: its gradient sums (size values) then its loss.
  const partials = team?.partials ?? new Float64Array(chunks * (size + 1));
  const w = team?.w ?? new Float64Array(size);
  const kernel: ChunkKernel = {
    X: wasm?.X ?? team?.X ?? X,
    y,
    classWeight,
    vectors,
    stride,
    fitIntercept,
    wasm: wasm?.layout
  };
  const scratch = chunkScratch(kernel, 0);
  let helperRows = 0;
  const objective: Objective = (x, grad) => {
    w.set(x);
    if (!team) {
      for (let c = 0; c < chunks; ++c)
        chunkLossGrad(kernel, w, ...chunkRows(c, chunks, X.rows), partials, c * (size + 1), scratch);
    } else {
      Atomics.store(team.ctrl, 1, 0);
      Atomics.store(team.ctrl, 0, 0);
      Atomics.add(team.signal, 0, 1);
      Atomics.notify(team.signal, 0);
      let here = 0;
      runChunks(team.ctrl, chunks, X.rows, (from, to, c) => {
        chunkLossGrad(kernel, w, from, to, partials, c * (size + 1), scratch);
        here += to - from;
      });
      awaitChunks(team.ctrl, chunks, "logistic regression");
      helperRows += X.rows - here;
    }
    grad.fill(0);
    let loss = 0;
    for (let c = 0; c < chunks; ++c) {
      const off = c * (size + 1);
      for (let i = 0; i < size; ++i) grad[i] += partials[off + i];
      loss += partials[off + size];
    }
    let penalty = 0;
    for (let k = 0; k < vectors; ++k) {
      for (let j = 0; j < p; ++j) {
        const wj = x[k * stride + j];
        penalty += wj * wj;
        grad[k * stride + j] += wj / C;
      }
    }
    const scale = 1 / swSum;
    for (let i = 0; i < grad.length; ++i) grad[i] *= scale;
    return (loss + (0.5 * penalty) / C) * scale;
  };
  return {objective, helperRows: () => helperRows, close: () => team?.close()};
}

/** What the chunk kernel reads: the rows and the layout of the parameters. */
export interface ChunkKernel {
  X: Features;
  y: Int32Array;
  classWeight: Float64Array;
  vectors: number;
  stride: number;
  fitIntercept: boolean;
  /** X in wasm memory, for the SIMD passes of a binary fit. */
  wasm?: WasmLayout;
}

/** Where a binary fit's X and each thread's scratch sit in wasm memory (byte addresses). */
export interface WasmLayout {
  memory: WebAssembly.Memory;
  cols: number[];
  /** Thread t's z (BLOCK float64) and then four output sums at scratch + t·SCRATCH_BYTES. */
  scratch: number;
}

/** Helper threads at most (each has a scratch slot in wasm memory). */
const MAX_THREADS = 16;
const SCRATCH_BYTES = 8 * BLOCK + 64;

/** A copy of X's columns in wasm memory (shared when threads will read it), with views over them. */
function wasmX(X: Features, shared: boolean): {X: Features; layout: WasmLayout} {
  const colBytes = 8 * X.rows;
  const bytes = colBytes * X.cols.length + MAX_THREADS * SCRATCH_BYTES;
  const pages = Math.ceil(bytes / 65536);
  const memory = new WebAssembly.Memory(
    shared ? {initial: pages, maximum: 65536, shared: true} : {initial: pages}
  );
  const cols = X.cols.map((c, j) => {
    const view = new Float64Array(memory.buffer, j * colBytes, X.rows);
    view.set(c);
    return view;
  });
  return {
    X: {...X, cols},
    layout: {memory, cols: cols.map((c) => c.byteOffset), scratch: colBytes * X.cols.length}
  };
}

/** A thread's working space for chunkLossGrad (thread `index`'s slot of wasm memory, for SIMD passes). */
export interface Scratch {
  z: Float64Array;
  rowWeight: Float64Array;
  simd?: {kernels: LogisticKernels; z: number; out: number; sums: Float64Array};
}

export function chunkScratch(k: ChunkKernel, index: number): Scratch {
  const rowWeight = new Float64Array(BLOCK);
  if (!k.wasm) return {z: new Float64Array(k.vectors * BLOCK), rowWeight};
  const {memory, scratch} = k.wasm;
  const z = scratch + index * SCRATCH_BYTES;
  const out = z + 8 * BLOCK;
  return {
    z: new Float64Array(memory.buffer, z, BLOCK),
    rowWeight,
    simd: {kernels: createLogisticKernels(memory), z, out, sums: new Float64Array(memory.buffer, out, 4)}
  };
}

/**
 * The weighted loss of rows [from, to) and its gradient (unscaled, unpenalised), block by block:
 * written to out[off .. off+size) (the gradient) and out[off+size] (the loss).
 */
export function chunkLossGrad(
  k: ChunkKernel,
  w: Float64Array,
  from: number,
  to: number,
  out: Float64Array,
  off: number,
  scratch: Scratch
): void {
  const {X, y, classWeight, vectors, stride, fitIntercept} = k;
  const size = vectors * stride;
  const grad = out.subarray(off, off + size);
  grad.fill(0);
  const {z, rowWeight, simd} = scratch;
  let loss = 0;
  for (let start = from; start < to; start += BLOCK) {
    const len = Math.min(BLOCK, to - start);
    for (let i = 0; i < len; ++i) rowWeight[i] = classWeight[y[start + i]];
    if (simd) {
      simdLossGrad(k.wasm!, simd, X.cols.length, w, grad, fitIntercept, z, y, rowWeight, start, len);
      loss += simd.sums[0];
      continue;
    }
    forward(X, w, vectors, stride, fitIntercept, z, start, len);
    loss +=
      vectors === 1
        ? binaryResidual(z, y, rowWeight, start, len)
        : softmaxResidual(z, y, rowWeight, vectors, start, len);
    backward(X, grad, vectors, stride, fitIntercept, z, start, len);
  }
  out[off + size] = loss;
}

/** The helper threads of one fit and what they share with the calling thread. */
interface Team {
  X: Features;
  w: Float64Array;
  partials: Float64Array;
  ctrl: Int32Array;
  /** [0]: the evaluation number, bumped to wake the helpers; −1 ends them. */
  signal: Int32Array;
  close(): void;
}

function startTeam(
  setup: LossSetup,
  vectors: number,
  stride: number,
  chunks: number,
  helpers: number,
  wasm: {X: Features; layout: WasmLayout} | undefined
): Team {
  const shared = (n: number) => new Float64Array(new SharedArrayBuffer(8 * n));
  // X is shared once: in wasm memory for SIMD passes, else on SharedArrayBuffers.
  const X: Features = wasm?.X ?? {
    ...setup.X,
    cols: setup.X.cols.map((c) => {
      const copy = shared(c.length);
      copy.set(c);
      return copy;
    })
  };
  const y = new Int32Array(new SharedArrayBuffer(4 * setup.y.length));
  y.set(setup.y);
  const team = {
    X,
    w: shared(vectors * stride),
    partials: shared(chunks * (vectors * stride + 1)),
    ctrl: new Int32Array(new SharedArrayBuffer(CHUNK_CTRL_BYTES)),
    signal: new Int32Array(new SharedArrayBuffer(4))
  };
  const data: LogisticHelperData = {
    ...team,
    kernel: {
      X,
      y,
      classWeight: setup.classWeight,
      vectors,
      stride,
      fitIntercept: setup.fitIntercept,
      wasm: wasm?.layout
    },
    chunks,
    index: 0
  };
  const workers: Worker[] = [];
  for (let h = 0; h < helpers; ++h) {
    try {
      const worker = startThread(new URL("./logisticHelper.ts", import.meta.url), {
        workerData: {...data, index: h + 1}
      });
      worker.unref();
      worker.on("error", () => undefined); // its chunks are then taken by the others
      workers.push(worker);
    } catch {
      break; // no helper entry here: the chunks are taken by the calling thread
    }
  }
  return {
    ...team,
    close() {
      Atomics.store(team.signal, 0, -1);
      Atomics.notify(team.signal, 0);
    }
  };
}

/** What a helper thread gets (logisticHelper.ts). */
export interface LogisticHelperData {
  kernel: ChunkKernel;
  /** This thread's number (1 … helpers): its scratch slot. */
  index: number;
  w: Float64Array;
  partials: Float64Array;
  ctrl: Int32Array;
  signal: Int32Array;
  chunks: number;
}

/**
 * One block of a binary fit through the SIMD kernels: z = X·w (+ intercept), the residual in JS (as
 * the JS path), then grad += Xᵀ·r. The block's loss is left in sums[0].
 */
function simdLossGrad(
  layout: WasmLayout,
  simd: NonNullable<Scratch["simd"]>,
  p: number,
  w: Float64Array,
  grad: Float64Array,
  fitIntercept: boolean,
  z: Float64Array,
  y: Int32Array,
  rowWeight: Float64Array,
  start: number,
  len: number
): void {
  const {kernels: K, z: zp, out, sums} = simd;
  const col = (j: number) => layout.cols[j] + 8 * start;
  z.fill(fitIntercept ? w[p] : 0, 0, len);
  let j = 0;
  for (; j + 4 <= p; j += 4)
    K.fwd4(zp, len, col(j), col(j + 1), col(j + 2), col(j + 3), w[j], w[j + 1], w[j + 2], w[j + 3]);
  for (; j < p; ++j) K.fwd1(zp, len, col(j), w[j]);
  const loss = binaryResidual(z, y, rowWeight, start, len);
  for (j = 0; j + 4 <= p; j += 4) {
    K.bwd4(zp, len, col(j), col(j + 1), col(j + 2), col(j + 3), out);
    grad[j] += sums[0];
    grad[j + 1] += sums[1];
    grad[j + 2] += sums[2];
    grad[j + 3] += sums[3];
  }
  for (; j < p; ++j) {
    K.bwd1(zp, len, col(j), out);
    grad[j] += sums[0];
  }
  if (fitIntercept) {
    let s = 0;
    for (let i = 0; i < len; ++i) s += z[i];
    grad[p] += s;
  }
  sums[0] = loss;
}

/**
 * z_k[i] = intercept_k + Σⱼ w_kⱼ·X[start+i, j] for every vector k (z_k at z[k·BLOCK]). Classes go
 * three at a time so each x value loaded feeds three scores: twice as fast as a pass per class.
 */
function forward(
  X: Features,
  w: Float64Array,
  vectors: number,
  stride: number,
  fitIntercept: boolean,
  z: Float64Array,
  start: number,
  len: number
): void {
  const p = X.cols.length;
  for (let k = 0; k < vectors; ++k) z.fill(fitIntercept ? w[k * stride + p] : 0, k * BLOCK, k * BLOCK + len);
  let k = 0;
  for (; k + 3 <= vectors; k += 3) forwardTriple(X, w, k * stride, stride, z, k * BLOCK, start, len);
  for (; k < vectors; ++k) forwardSingle(X, w, k * stride, z, k * BLOCK, start, len);
}

/** One score vector, four columns per sweep to cut z traffic. */
function forwardSingle(
  X: Features,
  w: Float64Array,
  base: number,
  z: Float64Array,
  off: number,
  start: number,
  len: number
): void {
  const p = X.cols.length;
  let j = 0;
  for (; j + 4 <= p; j += 4) {
    const c0 = X.cols[j];
    const c1 = X.cols[j + 1];
    const c2 = X.cols[j + 2];
    const c3 = X.cols[j + 3];
    const w0 = w[base + j];
    const w1 = w[base + j + 1];
    const w2 = w[base + j + 2];
    const w3 = w[base + j + 3];
    for (let i = 0; i < len; ++i) {
      const r = start + i;
      z[off + i] += w0 * c0[r] + w1 * c1[r] + w2 * c2[r] + w3 * c3[r];
    }
  }
  for (; j < p; ++j) {
    const c0 = X.cols[j];
    const w0 = w[base + j];
    for (let i = 0; i < len; ++i) z[off + i] += w0 * c0[start + i];
  }
}

/** Three consecutive score vectors (bases base, base+stride, base+2·stride), two columns per sweep. */
function forwardTriple(
  X: Features,
  w: Float64Array,
  base: number,
  stride: number,
  z: Float64Array,
  off: number,
  start: number,
  len: number
): void {
  const p = X.cols.length;
  const a = base;
  const b = base + stride;
  const c = base + 2 * stride;
  const za = off;
  const zb = off + BLOCK;
  const zc = off + 2 * BLOCK;
  let j = 0;
  for (; j + 2 <= p; j += 2) {
    const c0 = X.cols[j];
    const c1 = X.cols[j + 1];
    const a0 = w[a + j];
    const a1 = w[a + j + 1];
    const b0 = w[b + j];
    const b1 = w[b + j + 1];
    const d0 = w[c + j];
    const d1 = w[c + j + 1];
    for (let i = 0; i < len; ++i) {
      const x0 = c0[start + i];
      const x1 = c1[start + i];
      z[za + i] += a0 * x0 + a1 * x1;
      z[zb + i] += b0 * x0 + b1 * x1;
      z[zc + i] += d0 * x0 + d1 * x1;
    }
  }
  if (j < p) {
    const c0 = X.cols[j];
    const a0 = w[a + j];
    const b0 = w[b + j];
    const d0 = w[c + j];
    for (let i = 0; i < len; ++i) {
      const x0 = c0[start + i];
      z[za + i] += a0 * x0;
      z[zb + i] += b0 * x0;
      z[zc + i] += d0 * x0;
    }
  }
}

/** grad_kⱼ += Σᵢ X[start+i, j]·r_k[i] (r_k at r[k·BLOCK]); intercept slots get Σᵢ r_k[i]. */
function backward(
  X: Features,
  grad: Float64Array,
  vectors: number,
  stride: number,
  fitIntercept: boolean,
  r: Float64Array,
  start: number,
  len: number
): void {
  let k = 0;
  for (; k + 3 <= vectors; k += 3) backwardTriple(X, grad, k * stride, stride, r, k * BLOCK, start, len);
  for (; k < vectors; ++k) backwardSingle(X, grad, k * stride, r, k * BLOCK, start, len);
  if (fitIntercept) {
    const p = X.cols.length;
    for (let k = 0; k < vectors; ++k) {
      const off = k * BLOCK;
      let s = 0;
      for (let i = 0; i < len; ++i) s += r[off + i];
      grad[k * stride + p] += s;
    }
  }
}

function backwardSingle(
  X: Features,
  grad: Float64Array,
  base: number,
  r: Float64Array,
  off: number,
  start: number,
  len: number
): void {
  const p = X.cols.length;
  let j = 0;
  for (; j + 4 <= p; j += 4) {
    const c0 = X.cols[j];
    const c1 = X.cols[j + 1];
    const c2 = X.cols[j + 2];
    const c3 = X.cols[j + 3];
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < len; ++i) {
      const ri = r[off + i];
      const row = start + i;
      s0 += c0[row] * ri;
      s1 += c1[row] * ri;
      s2 += c2[row] * ri;
      s3 += c3[row] * ri;
    }
    grad[base + j] += s0;
    grad[base + j + 1] += s1;
    grad[base + j + 2] += s2;
    grad[base + j + 3] += s3;
  }
  for (; j < p; ++j) {
    const c0 = X.cols[j];
    let s0 = 0;
    for (let i = 0; i < len; ++i) s0 += c0[start + i] * r[off + i];
    grad[base + j] += s0;
  }
}

function backwardTriple(
  X: Features,
  grad: Float64Array,
  base: number,
  stride: number,
  r: Float64Array,
  off: number,
  start: number,
  len: number
): void {
  const p = X.cols.length;
  const a = base;
  const b = base + stride;
  const c = base + 2 * stride;
  const ra = off;
  const rb = off + BLOCK;
  const rc = off + 2 * BLOCK;
  let j = 0;
  for (; j + 2 <= p; j += 2) {
    const c0 = X.cols[j];
    const c1 = X.cols[j + 1];
    let a0 = 0;
    let a1 = 0;
    let b0 = 0;
    let b1 = 0;
    let d0 = 0;
    let d1 = 0;
    for (let i = 0; i < len; ++i) {
      const x0 = c0[start + i];
      const x1 = c1[start + i];
      const u = r[ra + i];
      const v = r[rb + i];
      const t = r[rc + i];
      a0 += x0 * u;
      a1 += x1 * u;
      b0 += x0 * v;
      b1 += x1 * v;
      d0 += x0 * t;
      d1 += x1 * t;
    }
    grad[a + j] += a0;
    grad[a + j + 1] += a1;
    grad[b + j] += b0;
    grad[b + j + 1] += b1;
    grad[c + j] += d0;
    grad[c + j + 1] += d1;
  }
  if (j < p) {
    const c0 = X.cols[j];
    let a0 = 0;
    let b0 = 0;
    let d0 = 0;
    for (let i = 0; i < len; ++i) {
      const x0 = c0[start + i];
      a0 += x0 * r[ra + i];
      b0 += x0 * r[rb + i];
      d0 += x0 * r[rc + i];
    }
    grad[a + j] += a0;
    grad[b + j] += b0;
    grad[c + j] += d0;
  }
}

/**
 * Binomial log-loss log(1 + eᶻ) − y·z of a block, written stably with one exp and one log1p; z is
 * replaced by the weighted residual s·(σ(z) − y).
 */
function binaryResidual(
  z: Float64Array,
  y: Int32Array,
  sw: Float64Array,
  start: number,
  len: number
): number {
  let loss = 0;
  for (let i = 0; i < len; ++i) {
    const zi = z[i];
    const yi = y[start + i];
    const s = sw[i];
    const e = Math.exp(-Math.abs(zi));
    const p = zi >= 0 ? 1 / (1 + e) : e / (1 + e);
    loss += s * (Math.log1p(e) + (zi > 0 ? zi : 0) - (yi === 1 ? zi : 0));
    z[i] = s * (p - yi);
  }
  return loss;
}

/** Multinomial log-loss logΣₖ e^{zₖ} − z_y of a block; z is replaced by s·(softmax − onehot). */
function softmaxResidual(
  z: Float64Array,
  y: Int32Array,
  sw: Float64Array,
  classes: number,
  start: number,
  len: number
): number {
  let loss = 0;
  for (let i = 0; i < len; ++i) {
    let max = -Infinity;
    for (let k = 0; k < classes; ++k) max = Math.max(max, z[k * BLOCK + i]);
    const yi = y[start + i];
    const zy = z[yi * BLOCK + i];
    let sum = 0;
    for (let k = 0; k < classes; ++k) {
      const e = Math.exp(z[k * BLOCK + i] - max);
      z[k * BLOCK + i] = e;
      sum += e;
    }
    const s = sw[i];
    loss += s * (Math.log(sum) + max - zy);
    const inv = s / sum;
    for (let k = 0; k < classes; ++k) z[k * BLOCK + i] *= inv;
    z[yi * BLOCK + i] -= s;
  }
  return loss;
}
