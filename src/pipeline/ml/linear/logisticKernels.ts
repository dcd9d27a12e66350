import {assembleWasm, F64, I32, V128, WasmFunction} from "../wasm/wasmAssembler.ts";

/**
 * The two passes of a binary logistic loss over a block of rows, as WebAssembly SIMD (two rows a
 * step). Pointers are byte addresses in the module's memory; columns hold float64 values.
 */
export interface LogisticKernels {
  /** z[i] += w0·c0[i] + w1·c1[i] + w2·c2[i] + w3·c3[i] for i < len (summed in that order, as the JS pass). */
  fwd4(
    z: number,
    len: number,
    c0: number,
    c1: number,
    c2: number,
    c3: number,
    w0: number,
    w1: number,
    w2: number,
    w3: number
  ): void;
  /** z[i] += w0·c0[i] for i < len. */
  fwd1(z: number, len: number, c0: number, w0: number): void;
  /** out[j] = Σᵢ cj[i]·r[i] for the four columns (even rows and odd rows summed apart, then added). */
  bwd4(r: number, len: number, c0: number, c1: number, c2: number, c3: number, out: number): void;
  /** out[0] = Σᵢ c0[i]·r[i]. */
  bwd1(r: number, len: number, c0: number, out: number): void;
}

/** z += Σⱼ wⱼ·cⱼ over `cols` columns (the i32 params after z and len, then the f64 weights). */
function forward(cols: 1 | 4): WasmFunction {
  const f = new WasmFunction(
    `fwd${cols}`,
    [I32, I32, ...Array<typeof I32>(cols).fill(I32), ...Array<typeof F64>(cols).fill(F64)],
    []
  );
  const z = 0;
  const len = 1;
  const col = (j: number) => 2 + j;
  const weight = (j: number) => 2 + cols + j;
  const i = f.local(I32);
  const end = f.local(I32);
  const splat = Array.from({length: cols}, () => f.local(V128));
  for (let j = 0; j < cols; ++j) f.get(weight(j)).f64x2Splat().set(splat[j]);
  // Bytes of the even part of the block: two rows (16 bytes) a step.
  f.get(len).i32(-2).and().i32(3).shl().set(end);
  f.block(() =>
    f.loop(() => {
      f.get(i).get(end).ltU().eqz().brIf(1);
      f.get(z).get(i).add(); // where the sum goes
      for (let j = 0; j < cols; ++j) {
        f.get(splat[j]).get(col(j)).get(i).add().v128Load().f64x2Mul();
        if (j > 0) f.f64x2Add();
      }
      f.get(z).get(i).add().v128Load().f64x2Add().v128Store();
      f.get(i).i32(16).add().set(i);
      f.br(0);
    })
  );
  // An odd last row.
  f.get(len)
    .i32(1)
    .and()
    .if(() => {
      f.get(z).get(end).add();
      for (let j = 0; j < cols; ++j) {
        f.get(weight(j)).get(col(j)).get(end).add().loadF64().f64Mul();
        if (j > 0) f.f64Add();
      }
      f.get(z).get(end).add().loadF64().f64Add().storeF64();
    });
  return f;
}

/** out[j] = Σᵢ cⱼ[i]·r[i] over `cols` columns. */
function backward(cols: 1 | 4): WasmFunction {
  const f = new WasmFunction(`bwd${cols}`, [I32, I32, ...Array<typeof I32>(cols).fill(I32), I32], []);
  const r = 0;
  const len = 1;
  const col = (j: number) => 2 + j;
  const out = 2 + cols;
  const i = f.local(I32);
  const end = f.local(I32);
  const rv = f.local(V128);
  const acc = Array.from({length: cols}, () => f.local(V128));
  const sum = f.local(F64);
  for (let j = 0; j < cols; ++j) f.f64(0).f64x2Splat().set(acc[j]);
  f.get(len).i32(-2).and().i32(3).shl().set(end);
  f.block(() =>
    f.loop(() => {
      f.get(i).get(end).ltU().eqz().brIf(1);
      f.get(r).get(i).add().v128Load().set(rv);
      for (let j = 0; j < cols; ++j)
        f.get(acc[j]).get(col(j)).get(i).add().v128Load().get(rv).f64x2Mul().f64x2Add().set(acc[j]);
      f.get(i).i32(16).add().set(i);
      f.br(0);
    })
  );
  for (let j = 0; j < cols; ++j) {
    f.get(acc[j]).f64x2ExtractLane(0).get(acc[j]).f64x2ExtractLane(1).f64Add().set(sum);
    f.get(len)
      .i32(1)
      .and()
      .if(() => {
        f.get(sum)
          .get(col(j))
          .get(end)
          .add()
          .loadF64()
          .get(r)
          .get(end)
          .add()
          .loadF64()
          .f64Mul()
          .f64Add()
          .set(sum);
      });
    f.get(out)
      .get(sum)
      .storeF64(8 * j);
  }
  return f;
}

const compiled = new Map<boolean, WebAssembly.Module>();

/** The kernels over `memory` (shared when threads of one fit use it). */
export function createLogisticKernels(memory: WebAssembly.Memory): LogisticKernels {
  const shared = typeof SharedArrayBuffer !== "undefined" && memory.buffer instanceof SharedArrayBuffer;
  let m = compiled.get(shared);
  if (!m) {
    m = new WebAssembly.Module(assembleWasm([forward(4), forward(1), backward(4), backward(1)], {shared}));
    compiled.set(shared, m);
  }
  return new WebAssembly.Instance(m, {env: {memory}}).exports as unknown as LogisticKernels;
}
