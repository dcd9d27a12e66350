/**
 * Unconstrained L-BFGS with the Moré–Thuente line search (MINPACK-2 `dcsrch`/`dcstep`), set up the
 * way scipy's L-BFGS-B runs it for scikit-learn (memory 10, line-search ftol 1e-3 / gtol 0.9 / xtol
 * 0.1, first step 1/‖d‖, stop on max|g| ≤ gtol or a relative decrease ≤ ftol), so iteration counts
 * and the point we stop at are comparable with sklearn's `solver="lbfgs"`.
 */

/** Writes ∇f(x) into `grad` and returns f(x). Must not keep references to `x` or `grad`. */
export type Objective = (x: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Iteration limit (each iteration is one line search). */
  maxIter: number;
  /** Stop when max_i |∇f_i| ≤ gtol (scipy's `pgtol`, sklearn's `tol`). */
  gtol: number;
  /** Stop when (f_old − f) / max(|f_old|, |f|, 1) ≤ ftol; scipy/sklearn use 64·ε. */
  ftol?: number;
  /** Correction pairs kept; scipy's default 10. */
  memory?: number;
  /** Function evaluations allowed per line search; sklearn passes 50. */
  maxLineSearch?: number;
  /** Called after each iteration with (iteration, maxIter). */
  onIteration?: (iteration: number, maxIter: number) => void;
}

export interface LbfgsResult {
  x: Float64Array;
  f: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  /** "gtol", "ftol", "max_iter" or "line_search" (no further progress possible). */
  reason: "gtol" | "ftol" | "max_iter" | "line_search";
}

const EPS = 2.220446049250313e-16;

export function lbfgs(fg: Objective, x0: Float64Array, options: LbfgsOptions): LbfgsResult {
  const {maxIter, gtol, ftol = 64 * EPS, memory = 10, maxLineSearch = 50, onIteration} = options;
  const n = x0.length;
  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const d = new Float64Array(n);
  const s = Array.from({length: memory}, () => new Float64Array(n));
  const y = Array.from({length: memory}, () => new Float64Array(n));
  const rho = new Float64Array(memory);
  const alpha = new Float64Array(memory);
  let stored = 0;
  let head = 0; // index of the next slot to overwrite
  let gamma = 1;

  let f = fg(x, g);
  let evaluations = 1;
  if (!Number.isFinite(f)) throw new Error(`invalid objective value at the starting point: ${f}`);
  if (maxAbs(g) <= gtol) return {x, f, iterations: 0, evaluations, converged: true, reason: "gtol"};

  let iterations = 0;
  let retried = false;
  while (iterations < maxIter) {
    direction(d, g, s, y, rho, alpha, stored, head, memory, gamma);
    let dg = dot(d, g);
    if (!(dg < 0)) {
      // Curvature information went stale: fall back to steepest descent.
      stored = 0;
      direction(d, g, s, y, rho, alpha, 0, head, memory, 1);
      dg = dot(d, g);
    }
    const first = iterations === 0 || stored === 0;
    const step0 = first ? Math.min(1 / Math.sqrt(dot(d, d)), 1e10) : 1;
    const search = moreThuente(
      (stp) => {
        for (let i = 0; i < n; ++i) xNew[i] = x[i] + stp * d[i];
        const value = fg(xNew, gNew);
        ++evaluations;
        return value;
      },
      () => dot(gNew, d),
      f,
      dg,
      step0,
      maxLineSearch
    );
    if (!search.ok) {
      // scipy restarts from steepest descent once before giving up.
      if (stored > 0 && !retried) {
        stored = 0;
        retried = true;
        continue;
      }
      return {x, f, iterations, evaluations, converged: false, reason: "line_search"};
    }
    retried = false;
    ++iterations;
    onIteration?.(iterations, maxIter);
    const fNew = search.f;
    const slotS = s[head];
    const slotY = y[head];
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < n; ++i) {
      const si = xNew[i] - x[i];
      const yi = gNew[i] - g[i];
      slotS[i] = si;
      slotY[i] = yi;
      sy += si * yi;
      yy += yi * yi;
    }
    const fOld = f;
    x.set(xNew);
    g.set(gNew);
    f = fNew;
    // Skip pairs without enough positive curvature, as L-BFGS-B does.
    if (sy > EPS * yy) {
      rho[head] = 1 / sy;
      gamma = sy / yy;
      head = (head + 1) % memory;
      stored = Math.min(stored + 1, memory);
    }
    if ((fOld - f) / Math.max(Math.abs(fOld), Math.abs(f), 1) <= ftol) {
      return {x, f, iterations, evaluations, converged: true, reason: "ftol"};
    }
    if (maxAbs(g) <= gtol) return {x, f, iterations, evaluations, converged: true, reason: "gtol"};
  }
  return {x, f, iterations, evaluations, converged: false, reason: "max_iter"};
}

/** Two-loop recursion: d = −H·g with H the L-BFGS inverse-Hessian estimate. */
function direction(
  d: Float64Array,
  g: Float64Array,
  s: Float64Array[],
  y: Float64Array[],
  rho: Float64Array,
  alpha: Float64Array,
  stored: number,
  head: number,
  memory: number,
  gamma: number
): void {
  const n = d.length;
  for (let i = 0; i < n; ++i) d[i] = -g[i];
  for (let k = 1; k <= stored; ++k) {
    const m = (head - k + memory) % memory;
    const a = rho[m] * dot(s[m], d);
    alpha[m] = a;
    const ym = y[m];
    for (let i = 0; i < n; ++i) d[i] -= a * ym[i];
  }
  for (let i = 0; i < n; ++i) d[i] *= gamma;
  for (let k = stored; k >= 1; --k) {
    const m = (head - k + memory) % memory;
    const b = rho[m] * dot(y[m], d);
    const sm = s[m];
    const c = alpha[m] - b;
    for (let i = 0; i < n; ++i) d[i] += c * sm[i];
  }
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; ++i) sum += a[i] * b[i];
  return sum;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; ++i) m = Math.max(m, Math.abs(a[i]));
  return m;
}

const LS_FTOL = 1e-3;
const LS_GTOL = 0.9;
const LS_XTOL = 0.1;
const STPMAX = 1e10;
const XTRAPL = 1.1;
const XTRAPU = 4;

/**
 * Moré–Thuente search for a step satisfying the strong Wolfe conditions along a descent
 * direction. `phi(stp)` evaluates the objective at x + stp·d (and its gradient, kept by the caller);
 * `dphi()` then returns the directional derivative at that point.
 */
export function moreThuente(
  phi: (stp: number) => number,
  dphi: () => number,
  finit: number,
  ginit: number,
  step0: number,
  maxEvaluations: number
): {ok: boolean; stp: number; f: number} {
  if (!(ginit < 0)) return {ok: false, stp: 0, f: finit};
  const gtest = LS_FTOL * ginit;
  let width = STPMAX;
  let width1 = 2 * width;
  const b: Bracket = {stx: 0, fx: finit, gx: ginit, sty: 0, fy: finit, gy: ginit, brackt: false};
  let stage = 1;
  let stmin = 0;
  let stmax = step0 + XTRAPU * step0;
  let stp = step0;
  for (let evaluation = 0; evaluation < maxEvaluations; ++evaluation) {
    const f = phi(stp);
    const g = dphi();
    if (!Number.isFinite(f) || !Number.isFinite(g)) {
      // Overflow far out: pull back towards the best point so far.
      b.brackt = true;
      b.sty = stp;
      b.fy = Infinity;
      stp = b.stx + 0.5 * (stp - b.stx);
      continue;
    }
    const ftest = finit + stp * gtest;
    // lbfgsb 3.0's dcsrch: leave the ψ stage once f has a sufficient decrease and g ≥ min(ftol, gtol)·g(0).
    if (stage === 1 && f <= ftest && g >= gtest) stage = 2;
    if (f <= ftest && Math.abs(g) <= LS_GTOL * -ginit) return {ok: true, stp, f};
    if (b.brackt && (stp <= stmin || stp >= stmax || stmax - stmin <= LS_XTOL * stmax)) {
      // Rounding errors or a collapsed interval: accept if it decreases f at all.
      return {ok: f < finit, stp, f};
    }
    if (stp === STPMAX && f <= ftest && g <= gtest) return {ok: true, stp, f};
    if (stage === 1 && f <= b.fx && f > ftest) {
      // Work on the modified function ψ(stp) = f − f(0) − ftol·stp·f'(0) until it is bracketed.
      const m: Bracket = {
        stx: b.stx,
        fx: b.fx - b.stx * gtest,
        gx: b.gx - gtest,
        sty: b.sty,
        fy: b.fy - b.sty * gtest,
        gy: b.gy - gtest,
        brackt: b.brackt
      };
      stp = cstep(m, stp, f - stp * gtest, g - gtest, stmin, stmax);
      b.stx = m.stx;
      b.sty = m.sty;
      b.brackt = m.brackt;
      b.fx = m.fx + m.stx * gtest;
      b.fy = m.fy + m.sty * gtest;
      b.gx = m.gx + gtest;
      b.gy = m.gy + gtest;
    } else {
      stp = cstep(b, stp, f, g, stmin, stmax);
    }
    if (b.brackt) {
      if (Math.abs(b.sty - b.stx) >= 0.66 * width1) stp = b.stx + 0.5 * (b.sty - b.stx);
      width1 = width;
      width = Math.abs(b.sty - b.stx);
      stmin = Math.min(b.stx, b.sty);
      stmax = Math.max(b.stx, b.sty);
    } else {
      stmin = stp + XTRAPL * (stp - b.stx);
      stmax = stp + XTRAPU * (stp - b.stx);
    }
    stp = Math.min(Math.max(stp, 0), STPMAX);
    if (b.brackt && (stp <= stmin || stp >= stmax || stmax - stmin <= LS_XTOL * stmax)) stp = b.stx;
    if (stp === 0) return {ok: false, stp, f: finit};
  }
  return {ok: false, stp, f: finit};
}

interface Bracket {
  stx: number;
  fx: number;
  gx: number;
  sty: number;
  fy: number;
  gy: number;
  brackt: boolean;
}

/** MINPACK-2 `dcstep`: updates the interval of uncertainty and returns the next trial step. */
function cstep(b: Bracket, stp: number, fp: number, dp: number, stpmin: number, stpmax: number): number {
  const {stx, fx, gx: dx, sty, fy, gy: dy} = b;
  const sgnd = dp * Math.sign(dx);
  let stpf: number;
  if (fp > fx) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const sc = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = sc * Math.sqrt(Math.max(0, (theta / sc) ** 2 - (dx / sc) * (dp / sc)));
    if (stp < stx) gamma = -gamma;
    const p = gamma - dx + theta;
    const q = gamma - dx + gamma + dp;
    const stpc = stx + (p / q) * (stp - stx);
    const stpq = stx + (dx / ((fx - fp) / (stp - stx) + dx) / 2) * (stp - stx);
    stpf = Math.abs(stpc - stx) < Math.abs(stpq - stx) ? stpc : stpc + (stpq - stpc) / 2;
    b.brackt = true;
  } else if (sgnd < 0) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const sc = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = sc * Math.sqrt(Math.max(0, (theta / sc) ** 2 - (dx / sc) * (dp / sc)));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma - dp + gamma + dx;
    const stpc = stp + (p / q) * (stx - stp);
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
    b.brackt = true;
  } else if (Math.abs(dp) < Math.abs(dx)) {
    const theta = (3 * (fx - fp)) / (stp - stx) + dx + dp;
    const sc = Math.max(Math.abs(theta), Math.abs(dx), Math.abs(dp));
    let gamma = sc * Math.sqrt(Math.max(0, (theta / sc) ** 2 - (dx / sc) * (dp / sc)));
    if (stp > stx) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma + (dx - dp) + gamma;
    const r = p / q;
    let stpc: number;
    if (r < 0 && gamma !== 0) stpc = stp + r * (stx - stp);
    else stpc = stp > stx ? stpmax : stpmin;
    const stpq = stp + (dp / (dp - dx)) * (stx - stp);
    if (b.brackt) {
      stpf = Math.abs(stpc - stp) < Math.abs(stpq - stp) ? stpc : stpq;
      stpf = stp > stx ? Math.min(stp + 0.66 * (sty - stp), stpf) : Math.max(stp + 0.66 * (sty - stp), stpf);
    } else {
      stpf = Math.abs(stpc - stp) > Math.abs(stpq - stp) ? stpc : stpq;
      stpf = Math.max(stpmin, Math.min(stpmax, stpf));
    }
  } else if (b.brackt) {
    const theta = (3 * (fp - fy)) / (sty - stp) + dy + dp;
    const sc = Math.max(Math.abs(theta), Math.abs(dy), Math.abs(dp));
    let gamma = sc * Math.sqrt(Math.max(0, (theta / sc) ** 2 - (dy / sc) * (dp / sc)));
    if (stp > sty) gamma = -gamma;
    const p = gamma - dp + theta;
    const q = gamma - dp + gamma + dy;
    stpf = stp + (p / q) * (sty - stp);
  } else {
    stpf = stp > stx ? stpmax : stpmin;
  }
  if (fp > fx) {
    b.sty = stp;
    b.fy = fp;
    b.gy = dp;
  } else {
    if (sgnd < 0) {
      b.sty = stx;
      b.fy = fx;
      b.gy = dx;
    }
    b.stx = stp;
    b.fx = fp;
    b.gx = dp;
  }
  return stpf;
}
