import {spawnSync} from "node:child_process";
import {existsSync} from "node:fs";

export interface Measured {
  seconds: number;
  /** Peak resident memory of the process, in MiB (null where GNU time is missing). */
  peakMiB: number | null;
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a command, measuring wall time and, through GNU time, the peak RSS of the process tree's leader. */
export function measure(
  command: string,
  args: string[],
  options: {cwd?: string; env?: NodeJS.ProcessEnv} = {}
): Measured {
  const gnuTime = existsSync("/usr/bin/time");
  const t0 = performance.now();
  const result = gnuTime
    ? spawnSync("/usr/bin/time", ["-f", "__PEAK_KB__ %M", command, ...args], {
        ...options,
        encoding: "utf8",
        maxBuffer: 1 << 28
      })
    : spawnSync(command, args, {...options, encoding: "utf8", maxBuffer: 1 << 28});
  const seconds = (performance.now() - t0) / 1000;
  const peak = /__PEAK_KB__ (\d+)/.exec(result.stderr ?? "");
  return {
    seconds,
    peakMiB: peak ? Number(peak[1]) / 1024 : null,
    status: result.status ?? -1,
    stdout: result.stdout ?? "",
    stderr: (result.stderr ?? "").replace(/__PEAK_KB__ \d+\n?/, "")
  };
}

export function hasPython(modules: string[]): boolean {
  const r = spawnSync("python3", ["-c", modules.map((m) => `import ${m}`).join("; ")], {encoding: "utf8"});
  return r.status === 0;
}

/** The first of `python3` and Debian's /usr/bin/python3 that imports every module, else null. */
export function pythonWith(modules: string[]): string | null {
  for (const python of ["python3", "/usr/bin/python3"]) {
    const r = spawnSync(python, ["-c", modules.map((m) => `import ${m}`).join("; ")], {encoding: "utf8"});
    if (r.status === 0) return python;
  }
  return null;
}
