/**
 * A tiny WebAssembly encoder for the few integer/float loops that must run at native speed
 * (histogram building, row partitioning). TurboFan runs those loops over typed arrays 3-5× slower
 * than C; the same loop as wasm runs as fast as C. Hand-encoding a handful of loops avoids a
 * build-time toolchain and keeps the kernels readable next to their JS counterparts.
 */

export const I32 = 0x7f;
export const F32 = 0x7d;
export const F64 = 0x7c;
/** A 128-bit SIMD vector (two float64 lanes, as these kernels use it). */
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

function uleb(v: number): number[] {
  const out: number[] = [];
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v) b |= 0x80;
    out.push(b);
  } while (v);
  return out;
}

function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && !(b & 0x40)) || (v === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))];
const vec = (items: number[][]) => [...uleb(items.length), ...items.flat()];

/** One exported function, written as a stack-machine instruction stream. */
export class WasmFunction {
  readonly code: number[] = [];
  private readonly locals: ValType[] = [];

  constructor(
    readonly name: string,
    readonly params: readonly ValType[],
    readonly results: readonly ValType[]
  ) {}

  /** Declares a local and returns its index (parameters come first). */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  localTypes(): readonly ValType[] {
    return this.locals;
  }

  private op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  get(i: number): this {
    return this.op(0x20, ...uleb(i));
  }
  set(i: number): this {
    return this.op(0x21, ...uleb(i));
  }
  tee(i: number): this {
    return this.op(0x22, ...uleb(i));
  }
  i32(v: number): this {
    return this.op(0x41, ...sleb(v));
  }
  f64(v: number): this {
    return this.op(0x44, ...new Uint8Array(Float64Array.of(v).buffer));
  }

  /** `block … end`: `br 0` inside jumps past the end. */
  block(body: () => void): this {
    this.op(0x02, 0x40);
    body();
    return this.op(0x0b);
  }
  /** `loop … end`: `br 0` inside jumps back to the start. */
  loop(body: () => void): this {
    this.op(0x03, 0x40);
    body();
    return this.op(0x0b);
  }
  /** Pops an i32 condition. */
  if(body: () => void): this {
    this.op(0x04, 0x40);
    body();
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c, ...uleb(depth));
  }
  brIf(depth: number): this {
    return this.op(0x0d, ...uleb(depth));
  }
  return(): this {
    return this.op(0x0f);
  }

  // Memory access: address on the stack, static byte offset as immediate.
  loadU8(offset = 0): this {
    return this.op(0x2d, 0, ...uleb(offset));
  }
  loadI32(offset = 0): this {
    return this.op(0x28, 2, ...uleb(offset));
  }
  loadF32(offset = 0): this {
    return this.op(0x2a, 2, ...uleb(offset));
  }
  loadF64(offset = 0): this {
    return this.op(0x2b, 3, ...uleb(offset));
  }
  storeI32(offset = 0): this {
    return this.op(0x36, 2, ...uleb(offset));
  }
  storeF64(offset = 0): this {
    return this.op(0x39, 3, ...uleb(offset));
  }
  /** SIMD (0xfd prefix): 16 bytes loaded or stored at an 8-byte aligned address. */
  v128Load(offset = 0): this {
    return this.op(0xfd, 0x00, 3, ...uleb(offset));
  }
  v128Store(offset = 0): this {
    return this.op(0xfd, 0x0b, 3, ...uleb(offset));
  }
  f64x2Splat(): this {
    return this.op(0xfd, 0x14);
  }
  f64x2ExtractLane(lane: 0 | 1): this {
    return this.op(0xfd, 0x21, lane);
  }
  f64x2Add(): this {
    return this.op(0xfd, ...uleb(0xf0));
  }
  f64x2Mul(): this {
    return this.op(0xfd, ...uleb(0xf2));
  }
  /** memory.copy(dest, src, bytes). */
  memoryCopy(): this {
    return this.op(0xfc, 10, 0, 0);
  }

  eqz(): this {
    return this.op(0x45);
  }
  eq(): this {
    return this.op(0x46);
  }
  ltS(): this {
    return this.op(0x48);
  }
  ltU(): this {
    return this.op(0x49);
  }
  geS(): this {
    return this.op(0x4e);
  }
  leU(): this {
    return this.op(0x4d);
  }
  add(): this {
    return this.op(0x6a);
  }
  sub(): this {
    return this.op(0x6b);
  }
  mul(): this {
    return this.op(0x6c);
  }
  and(): this {
    return this.op(0x71);
  }
  or(): this {
    return this.op(0x72);
  }
  xor(): this {
    return this.op(0x73);
  }
  shl(): this {
    return this.op(0x74);
  }
  shrU(): this {
    return this.op(0x76);
  }
  f64Add(): this {
    return this.op(0xa0);
  }
  f64Sub(): this {
    return this.op(0xa1);
  }
  f64Mul(): this {
    return this.op(0xa2);
  }
  f64Div(): this {
    return this.op(0xa3);
  }
  f64Neg(): this {
    return this.op(0x9a);
  }
  f64Lt(): this {
    return this.op(0x63);
  }
  f64Gt(): this {
    return this.op(0x64);
  }
  f64ConvertI32S(): this {
    return this.op(0xb7);
  }
  /** Pops c, b, a: a when c is non-zero, else b. */
  select(): this {
    return this.op(0x1b);
  }
  f64PromoteF32(): this {
    return this.op(0xbb);
  }
}

/**
 * A module importing `env.memory` and exporting every function under its name. With `shared`,
 * the memory imported is a shared one (up to 4 GiB), which threads of one process can all use.
 */
export function assembleWasm(fns: readonly WasmFunction[], {shared = false} = {}): Uint8Array<ArrayBuffer> {
  const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body];
  const types = fns.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  const bodies = fns.map((f) => {
    const body = [...vec(f.localTypes().map((t) => [1, t])), ...f.code, 0x0b];
    return [...uleb(body.length), ...body];
  });
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0],
    ...section(1, vec(types)),
    // Memory limits: flags 0 (min only) or 3 (shared, min and max), min 0 pages, max 65536.
    ...section(
      2,
      vec([
        [...name("env"), ...name("memory"), 0x02, ...(shared ? [0x03, 0x00, ...uleb(65536)] : [0x00, 0x00])]
      ])
    ),
    ...section(3, vec(fns.map((_, i) => uleb(i)))),
    ...section(7, vec(fns.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(bodies))
  ]);
}
