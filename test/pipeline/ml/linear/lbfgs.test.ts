import {describe, expect, it} from "vitest";
import {lbfgs, moreThuente} from "../../../../src/pipeline/ml/linear/lbfgs.ts";
import type {Objective} from "../../../../src/pipeline/ml/linear/lbfgs.ts";

const rosenbrock: Objective = (x, g) => {
  const [a, b] = x;
  g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
  g[1] = 200 * (b - a * a);
  return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
};

describe("lbfgs", () => {
  it("minimises the Rosenbrock function to its valley floor", () => {
    const result = lbfgs(rosenbrock, Float64Array.from([-1.2, 1]), {maxIter: 200, gtol: 1e-10});
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 7);
    expect(result.x[1]).toBeCloseTo(1, 7);
    expect(result.f).toBeLessThan(1e-14);
  });

  it("solves a 50-dimensional ill-conditioned quadratic", () => {
    const n = 50;
    const d = Float64Array.from({length: n}, (_, i) => 10 ** ((3 * i) / (n - 1)));
    const quadratic: Objective = (x, g) => {
      let f = 0;
      for (let i = 0; i < n; ++i) {
        const r = x[i] - (i + 1);
        g[i] = d[i] * r;
        f += 0.5 * d[i] * r * r;
      }
      return f;
    };
    // ftol 0: the default relative-decrease test would stop first, as f is near 0 here.
    const result = lbfgs(quadratic, new Float64Array(n), {maxIter: 1000, gtol: 1e-9, ftol: 0});
    expect(result.reason).toBe("gtol");
    for (let i = 0; i < n; ++i) expect(Math.abs(result.x[i] - (i + 1))).toBeLessThan(1e-8);
  });

  it("stops at maxIter and says so", () => {
    const result = lbfgs(rosenbrock, Float64Array.from([-1.2, 1]), {maxIter: 3, gtol: 1e-10});
    expect(result).toMatchObject({iterations: 3, converged: false, reason: "max_iter"});
  });

  it("returns at once when the start is already stationary", () => {
    const result = lbfgs(rosenbrock, Float64Array.from([1, 1]), {maxIter: 10, gtol: 1e-8});
    expect(result).toMatchObject({iterations: 0, evaluations: 1, reason: "gtol"});
  });
});

describe("moreThuente", () => {
  it("finds a step meeting the strong Wolfe conditions", () => {
    // φ(t) = (t − 3)² + sin(4t): non-convex along the line, descent at 0.
    let last = 0;
    const phi = (t: number) => ((last = t), (t - 3) ** 2 + Math.sin(4 * t));
    const dphi = () => 2 * (last - 3) + 4 * Math.cos(4 * last);
    const f0 = phi(0);
    const g0 = dphi();
    const {ok, stp, f} = moreThuente(phi, dphi, f0, g0, 1, 50);
    expect(ok).toBe(true);
    phi(stp);
    expect(f).toBeLessThanOrEqual(f0 + 1e-3 * stp * g0);
    expect(Math.abs(dphi())).toBeLessThanOrEqual(0.9 * Math.abs(g0));
  });

  it("refuses a direction that is not a descent direction", () => {
    expect(
      moreThuente(
        (t) => t,
        () => 1,
        0,
        1,
        1,
        10
      ).ok
    ).toBe(false);
  });
});
