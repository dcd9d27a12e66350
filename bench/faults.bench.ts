/**
 * Fault suite: drives the mlbook CLI of a throwaway tiny project (tinyCsv, 20,000 rows) through
 * faults and checks that nothing is lost, duplicated or trusted when it should not be:
 *   1. runs SIGKILLed after a random delay, then run again: every re-run succeeds;
 *   2. sweeps SIGKILLed mid-way (their workers must go with them), then run again to completion;
 *   3. runs started all at once;
 *   4. `mlbook gc` in a loop beside runs and a sweep;
 *   5. store files corrupted (a byte flipped in place with the old mtime put back, or truncated):
 *      `mlbook verify` must name every corrupt entry, `--fix` then a re-run gives the same results;
 *   6. garbage journal files: `mlbook runs` moves them to runs/rejected/ and lists every good run;
 *   7. the tracking database corrupted: `mlbook tracking rebuild` lists the same runs again.
 * Then every run a successful command reported must be in `mlbook runs --json` exactly once, with
 * the metrics the command printed. Exit code 1 on any loss, duplicate, undetected corruption or
 * failed command.
 *
 * Run: npm run bench -- faults
 * Knobs (integers): FAULTS_SEED (printed; random by default), FAULTS_ROWS, FAULTS_KILLS,
 * FAULTS_SWEEP_KILLS, FAULTS_SWEEP_JOBS, FAULTS_CONCURRENT, FAULTS_CONCURRENT_ROUNDS,
 * FAULTS_GC_RUNS, FAULTS_CORRUPT, FAULTS_TIMEOUT_S (per command). FAULTS_JOURNAL_VALUES=0 leaves out
 * two journal files of a record's shape with values the database refuses (a bad time, a step
 * twice). FAULTS_IN_PLACE=1 drives this checkout's CLI instead of a copy of it (a copy keeps step
 * code, hence keys, still while someone edits src/); FAULTS_KEEP=1 keeps the temp folder (it is
 * kept anyway when a check fails).
 */
import {spawn} from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
  writeSync
} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {copyOfRepo, repoRoot, tinyCsv, tinyProject} from "../test/helpers/project.ts";

// ---------------------------------------------------------------------------------------------
// Knobs and the seeded random numbers

function knob(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name}=${text}: expected an integer >= 0`);
  return n;
}

const knobs = {
  seed: knob("FAULTS_SEED", Math.floor(Math.random() * 2 ** 31)),
  rows: knob("FAULTS_ROWS", 20_000),
  kills: knob("FAULTS_KILLS", 12),
  sweepKills: knob("FAULTS_SWEEP_KILLS", 3),
  sweepJobs: Math.max(1, knob("FAULTS_SWEEP_JOBS", 4)),
  concurrent: knob("FAULTS_CONCURRENT", 4),
  concurrentRounds: knob("FAULTS_CONCURRENT_ROUNDS", 2),
  gcRuns: knob("FAULTS_GC_RUNS", 3),
  corrupt: knob("FAULTS_CORRUPT", 8),
  timeoutS: Math.max(1, knob("FAULTS_TIMEOUT_S", 180)),
  journalValues: knob("FAULTS_JOURNAL_VALUES", 1) === 1
};

/** mulberry32: a small seeded generator of numbers in [0, 1), so a failing seed can be replayed. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
const random = seeded(knobs.seed);
const between = (lo: number, hi: number) => Math.round(lo + random() * Math.max(0, hi - lo));
const pick = (n: number) => Math.floor(random() * n);
function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = pick(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** A value of model.params.C no command has used yet: each new value is a new train entry. */
let cCount = 0;
const newC = () => (0.05 + 0.1 * ++cCount).toFixed(2);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------------
// The project, and the CLI as child processes

const wallStart = performance.now();
// Every temp folder (the project, the copy of the engine, the CLI's own) goes under one folder.
const scratch = mkdtempSync(join(tmpdir(), "mlbook-faults-"));
process.env.TMPDIR = scratch;
const inPlace = process.env.FAULTS_IN_PLACE === "1";
const engine = inPlace ? repoRoot : copyOfRepo();
const cli = join(engine, "bin", "mlbook.js");
const project = tinyProject();
writeFileSync(join(project, "data.csv"), tinyCsv(knobs.rows, knobs.seed));
const root = join(project, ".mlbook");

interface Outcome {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
  timedOut: boolean;
}

interface Started {
  pid: number;
  done: Promise<Outcome>;
}

/** Process groups of every command started (each is the leader of its own), for the leftovers check. */
const groups = new Set<number>();

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // the group is gone already
  }
}

/** Starts `mlbook ARGS` in the project, in a process group of its own; a command that hangs is killed. */
function start(args: string[]): Started {
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: project,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: {...process.env, FORCE_COLOR: "0", NO_COLOR: "1"}
  });
  const pid = child.pid ?? -1;
  if (pid > 0) groups.add(pid);
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const done = new Promise<Outcome>((resolve) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(pid);
    }, knobs.timeoutS * 1000);
    const finish = (status: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(timer);
      resolve({status, signal, stdout, stderr, ms: performance.now() - t0, timedOut});
    };
    child.on("error", (error) => {
      stderr += String(error);
      finish(-1, null);
    });
    child.on("close", finish);
  });
  return {pid, done};
}

const mlbook = (args: string[]) => start(args).done;

/** Live members of a process group, zombies aside (Linux /proc; elsewhere none are seen). */
function groupMembers(pgid: number): number[] {
  if (!existsSync("/proc")) return [];
  const members: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, "utf8");
    } catch {
      continue;
    }
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (state !== "Z" && Number(pgrp) === pgid) members.push(Number(name));
  }
  return members;
}

/** Waits up to `ms` for a killed command's helpers (sweep workers) to exit by themselves. */
async function orphansAfter(pgid: number, ms = 10_000): Promise<number[]> {
  const deadline = performance.now() + ms;
  let members = groupMembers(pgid);
  while (members.length && performance.now() < deadline) {
    await sleep(100);
    members = groupMembers(pgid);
  }
  return members;
}

// On Ctrl-C, take every command's group down with the suite.
process.on("SIGINT", () => {
  for (const pgid of groups) killGroup(pgid);
  process.exit(130);
});

// ---------------------------------------------------------------------------------------------
// What the commands print (run --json, run -m … --json) and the ledger of what must be recorded

interface StepOut {
  name: string;
  key: string;
  status: string;
}
interface RunOut {
  runId: string;
  steps: StepOut[];
  metrics: Record<string, number>;
}
type JobOut =
  | {
      index: number;
      overrides: string[];
      status: "ok";
      runId: string;
      steps: StepOut[];
      metrics: Record<string, number>;
    }
  | {index: number; overrides: string[]; status: "failed"; error: string};
interface SweepOut {
  sweepId: string;
  shared: StepOut[];
  jobs: JobOut[];
  winner: {registerRunId: string | null} | null;
}
type Output = {kind: "run"; json: RunOut} | {kind: "sweep"; json: SweepOut};

/** A run that a command which succeeded reported, so it must be recorded: by id, or (a sweep's shared steps) by sweep. */
interface Expected {
  label: string;
  id?: string;
  sharedOf?: string;
  metrics?: Record<string, number>;
}

const expected: Expected[] = [];
/** Commands that should have succeeded and did not, and other broken promises, one message each. */
const failures: string[] = [];
/** Each command line that succeeded, with its latest output: phase 5 re-runs them. */
const latest = new Map<string, {args: string[]; out: Output}>();
const stats = {
  commands: 0,
  failedCommands: 0,
  killsLanded: 0,
  killsMissed: 0,
  sweepKillsLanded: 0,
  orphans: 0,
  gcPasses: 0
};

const tail = (text: string, lines = 6) =>
  text
    .trim()
    .split("\n")
    .slice(-lines)
    .map((l) => `      ${l}`)
    .join("\n");

/** Whether a command that should succeed did; a failure is noted with what it printed last. */
function succeeded(label: string, o: Outcome, wanted = 0): boolean {
  stats.commands += 1;
  if (o.status === wanted && !o.timedOut) return true;
  stats.failedCommands += 1;
  const how = o.timedOut ? `no answer in ${knobs.timeoutS} s (killed)` : `exit ${o.status ?? o.signal}`;
  failures.push(`${label}: ${how}, expected exit ${wanted}\n${tail(o.stderr || o.stdout)}`);
  return false;
}

function parse<T>(label: string, text: string): T | undefined {
  try {
    return JSON.parse(text) as T;
  } catch {
    failures.push(`${label}: printed no JSON:\n${tail(text)}`);
    return undefined;
  }
}

/** Books a finished `mlbook run … --json`: its run must be recorded. */
function bookRun(label: string, args: string[], o: Outcome): RunOut | undefined {
  if (!succeeded(label, o)) return undefined;
  const json = parse<RunOut>(label, o.stdout);
  if (!json) return undefined;
  expected.push({label, id: json.runId, metrics: json.metrics});
  latest.set(args.join(" "), {args, out: {kind: "run", json}});
  return json;
}

/**
 * Books a finished sweep: each job is a run, the steps every job shares are one run of the sweep
 * (role 'shared', its id not printed), and a config with final steps (register) adds the winner's.
 */
function bookSweep(label: string, args: string[], o: Outcome): SweepOut | undefined {
  if (!succeeded(label, o)) return undefined;
  const json = parse<SweepOut>(label, o.stdout);
  if (!json) return undefined;
  for (const job of json.jobs) {
    const jobLabel = `${label}, job ${job.overrides.join(" ")}`;
    if (job.status === "ok") expected.push({label: jobLabel, id: job.runId, metrics: job.metrics});
    else failures.push(`${jobLabel}: failed in a sweep that exited 0: ${job.error}`);
  }
  if (json.shared.length) expected.push({label: `${label}, shared steps`, sharedOf: json.sweepId});
  const winner = json.winner?.registerRunId;
  if (winner) expected.push({label: `${label}, winner's final steps`, id: winner});
  latest.set(args.join(" "), {args, out: {kind: "sweep", json}});
  return json;
}

const runArgs = (C: string) => ["run", `model.params.C=${C}`, "--json"];
const sweepArgs = (values: string[]) => [
  "run",
  "-m",
  `model.params.C=${values.join(",")}`,
  "--jobs",
  "2",
  "--json"
];

function phase(title: string): void {
  console.log(`\n${title} (${((performance.now() - wallStart) / 1000).toFixed(0)} s in)`);
}

/** SIGKILLs a command's leader only, as the OOM killer would; `killed`: it died of it (had not finished). */
async function killAfter(started: Started, delay: number): Promise<{killed: boolean; outcome: Outcome}> {
  await sleep(delay);
  try {
    process.kill(started.pid, "SIGKILL");
  } catch {
    // it had exited
  }
  const outcome = await started.done;
  return {killed: outcome.signal === "SIGKILL", outcome};
}

/** After a kill: the command's helpers must exit by themselves; any left is a finding (then killed). */
async function checkOrphans(label: string, pgid: number): Promise<void> {
  const left = await orphansAfter(pgid);
  if (!left.length) return;
  stats.orphans += left.length;
  failures.push(
    `${label}: ${left.length} process(es) of the killed command still alive 10 s later: ${left.join(", ")}`
  );
  killGroup(pgid);
}

const entriesText = (n: number) => `${n} new entr${n === 1 ? "y" : "ies"}`;

/** How many entries the store holds (a killed run may have written some of its steps'). */
function entryCount(): number {
  const store = join(root, "store");
  if (!existsSync(store)) return 0;
  return readdirSync(store).reduce((n, step) => n + readdirSync(join(store, step)).length, 0);
}

// ---------------------------------------------------------------------------------------------
// The phases

/**
 * Bundles the engine's CLI (a copy starts without one), makes the baseline run, and times a run
 * with a new C (train and evaluate; the rest is fresh): what the kills of phase 1 interrupt.
 */
async function warmUp(): Promise<{baseline: number; newC: number}> {
  phase("warm-up: bundle the CLI, a baseline run, a run with a new C");
  succeeded("mlbook --version", await mlbook(["--version"]));
  const base = ["run", "--json"];
  const first = await mlbook(base);
  bookRun("baseline run", base, first);
  const args = runArgs(newC());
  const second = await mlbook(args);
  bookRun(`timing run: ${args[1]}`, args, second);
  const s = (o: Outcome) => `${(o.ms / 1000).toFixed(1)} s`;
  console.log(
    `  baseline run (ingest to evaluate, ${knobs.rows} rows) in ${s(first)}; new C in ${s(second)}`
  );
  return {baseline: first.ms, newC: second.ms};
}

/** 1. Runs killed after a random delay, each then run again to completion. */
async function killRuns(window: number): Promise<void> {
  // Delays are drawn up to a whole run's time (start-up included), so kills land anywhere in it.
  phase(`1. ${knobs.kills} runs SIGKILLed after a random delay, then run again`);
  for (let i = 1; i <= knobs.kills; i++) {
    const args = runArgs(newC());
    const delay = between(50, window);
    const entries = entryCount();
    const started = start(args);
    const {killed, outcome} = await killAfter(started, delay);
    const written = entryCount() - entries;
    const label = `kill ${i}: ${args[1]}`;
    if (killed) {
      stats.killsLanded += 1;
      await checkOrphans(label, started.pid);
    } else {
      // It finished first: a run like any other, which must be recorded.
      stats.killsMissed += 1;
      bookRun(`${label} (finished before the kill)`, args, outcome);
    }
    const again = await mlbook(args);
    const ok = bookRun(`${label}, run again`, args, again);
    console.log(
      `  ${label}: ${killed ? `killed after ${delay} ms (${entriesText(written)} by then)` : `finished within ${delay} ms`}; run again: ${ok ? "ok" : "FAILED"} (${(again.ms / 1000).toFixed(1)} s)`
    );
  }
}

/** 2. Sweeps killed mid-way (workers must follow), then run again to completion. */
async function killSweeps(window: number): Promise<void> {
  phase(`2. ${knobs.sweepKills} sweeps of ${knobs.sweepJobs} jobs SIGKILLed mid-way, then run again`);
  for (let i = 1; i <= knobs.sweepKills; i++) {
    const args = sweepArgs(Array.from({length: knobs.sweepJobs}, newC));
    const delay = between(Math.min(300, window / 4), window);
    const entries = entryCount();
    const started = start(args);
    const {killed, outcome} = await killAfter(started, delay);
    const written = entryCount() - entries;
    const label = `sweep kill ${i}: ${args[2]}`;
    if (killed) {
      stats.sweepKillsLanded += 1;
      await checkOrphans(label, started.pid);
    } else bookSweep(`${label} (finished before the kill)`, args, outcome);
    const again = await mlbook(args);
    const ok = bookSweep(`${label}, run again`, args, again);
    // A sweep run again after an early kill takes about a whole sweep: the next kill may land anywhere in one.
    if (ok) window = Math.max(window, again.ms);
    const ran = ok?.jobs.filter((j) => j.status === "ok" && j.steps.some((s) => s.status === "ran")).length;
    console.log(
      `  ${label}: ${killed ? `killed after ${delay} ms (${entriesText(written)} by then)` : `finished within ${delay} ms`}; run again: ${ok ? `ok, ${ran} of ${ok.jobs.length} jobs had to run` : "FAILED"} (${(again.ms / 1000).toFixed(1)} s)`
    );
  }
}

/** 3. Runs started all at once. */
async function concurrentRuns(): Promise<void> {
  phase(`3. ${knobs.concurrentRounds} rounds of ${knobs.concurrent} runs started at once`);
  for (let r = 1; r <= knobs.concurrentRounds; r++) {
    const all = Array.from({length: knobs.concurrent}, () => runArgs(newC()));
    const t0 = performance.now();
    const outcomes = await Promise.all(all.map(mlbook));
    const ok = outcomes.filter((o, i) => bookRun(`concurrent round ${r}: ${all[i][1]}`, all[i], o)).length;
    console.log(
      `  round ${r}: ${ok} of ${all.length} ok in ${((performance.now() - t0) / 1000).toFixed(1)} s`
    );
  }
}

/** 4. gc in a loop while runs and a sweep run. */
async function gcDuringRuns(): Promise<void> {
  phase(`4. mlbook gc in a loop beside ${knobs.gcRuns} runs and a sweep of ${knobs.sweepJobs} jobs`);
  let stop = false;
  const loop = (async () => {
    while (!stop) {
      stats.gcPasses += 1;
      succeeded(`gc pass ${stats.gcPasses}`, await mlbook(["gc"]));
    }
  })();
  const runs = (async () => {
    for (let i = 1; i <= knobs.gcRuns; i++) {
      const args = runArgs(newC());
      bookRun(`run beside gc: ${args[1]}`, args, await mlbook(args));
    }
  })();
  const sweep = sweepArgs(Array.from({length: knobs.sweepJobs}, newC));
  const swept = mlbook(sweep).then((o) => bookSweep(`sweep beside gc: ${sweep[2]}`, sweep, o));
  await Promise.all([runs, swept]);
  stop = true;
  await loop;
  console.log(`  ${stats.gcPasses} gc passes`);
}

interface Verified {
  checked: number;
  corrupt: {step: string; key: string; reason: string}[];
}

/** `mlbook verify [--fix] --json`, which must exit `wanted`. */
async function verify(label: string, wanted: number, fix = false): Promise<Verified | undefined> {
  const o = await mlbook(["verify", ...(fix ? ["--fix"] : []), "--json"]);
  const ok = succeeded(label, o, wanted);
  // verify prints its JSON before it exits 1 for corrupt entries; a crash prints none.
  return ok || o.stdout.trim() ? parse<Verified>(label, o.stdout) : undefined;
}

/**
 * `count` distinct store entries, taking steps in turns (in a random order) so tables, models and
 * metrics all get hit, and one random content file of each: a file its manifest lists, not the
 * manifest itself nor `.verified` (the entry's cache of its files' stamps), and not empty.
 */
function victims(count: number): {entry: string; path: string}[] {
  const store = join(root, "store");
  const byStep = new Map<string, Map<string, string[]>>();
  for (const step of readdirSync(store).sort()) {
    const entries = new Map<string, string[]>();
    for (const key of readdirSync(join(store, step)).sort()) {
      const dir = join(store, step, key);
      const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as {files: object};
      const files = Object.keys(manifest.files)
        .sort()
        .map((name) => join(dir, name))
        .filter((path) => statSync(path).size > 0);
      if (files.length) entries.set(`${step}/${key}`, files);
    }
    byStep.set(step, entries);
  }
  const chosen: {entry: string; path: string}[] = [];
  for (;;) {
    const steps = shuffle([...byStep.keys()].filter((s) => byStep.get(s)!.size));
    if (!steps.length) return chosen;
    for (const step of steps) {
      if (chosen.length >= count) return chosen;
      const entries = byStep.get(step)!;
      const entry = [...entries.keys()][pick(entries.size)];
      const files = entries.get(entry)!;
      entries.delete(entry);
      chosen.push({entry, path: files[pick(files.length)]});
    }
  }
}

/** Flips one byte in place (same size, same inode) and puts the old access and modification times back. */
function flipByte(path: string): string {
  const before = statSync(path);
  const at = pick(before.size);
  const fd = openSync(path, "r+");
  const byte = Buffer.alloc(1);
  readSync(fd, byte, 0, 1, at);
  byte[0] ^= 0xff;
  writeSync(fd, byte, 0, 1, at);
  closeSync(fd);
  utimesSync(path, before.atimeMs / 1000, before.mtimeMs / 1000);
  return `byte ${at} of ${before.size} flipped, mtime put back`;
}

/** Cuts a file short and puts the old times back. */
function truncate(path: string): string {
  const before = statSync(path);
  const size = pick(before.size);
  truncateSync(path, size);
  utimesSync(path, before.atimeMs / 1000, before.mtimeMs / 1000);
  return `truncated from ${before.size} to ${size} bytes, mtime put back`;
}

/** The store entries a command's output names (`step/key`). */
function entriesOf(out: Output): Set<string> {
  const steps =
    out.kind === "run"
      ? out.json.steps
      : [...out.json.shared, ...out.json.jobs.flatMap((j) => (j.status === "ok" ? j.steps : []))];
  return new Set(steps.map((s) => `${s.name}/${s.key}`));
}

/** What must not change when a command runs again: its steps' keys and its metrics. */
function results(out: Output): string {
  const keys = (steps: StepOut[]) => steps.map((s) => `${s.name}/${s.key}`);
  if (out.kind === "run") return JSON.stringify([keys(out.json.steps), out.json.metrics]);
  return JSON.stringify(
    out.json.jobs.map((j) => [j.overrides, j.status === "ok" ? [keys(j.steps), j.metrics] : j.status])
  );
}

const corruption = {
  corrupted: new Set<string>(),
  detected: new Set<string>(),
  falseAlarms: new Set<string>()
};

/** 5. Corrupt store files: verify names every entry, --fix discards them, re-runs give the same results. */
async function corruptStore(): Promise<void> {
  phase(`5. ${knobs.corrupt} store files corrupted (flipped in place or truncated, mtime put back)`);
  const clean = await verify("verify before corrupting anything", 0);
  if (clean?.corrupt.length)
    failures.push(
      `store corrupt before phase 5 (after kills and gc): ${clean.corrupt.map((c) => c.step + "/" + c.key).join(", ")}`
    );
  for (const [i, file] of victims(knobs.corrupt).entries()) {
    const how = i % 2 === 0 ? flipByte(file.path) : truncate(file.path);
    corruption.corrupted.add(file.entry);
    console.log(
      `  ${file.entry.slice(0, file.entry.indexOf("/") + 13)}…/${file.path.split("/").at(-1)}: ${how}`
    );
  }
  const wanted = corruption.corrupted.size ? 1 : 0;
  const found = await verify("mlbook verify --json after corrupting", wanted);
  for (const c of found?.corrupt ?? []) {
    const entry = `${c.step}/${c.key}`;
    (corruption.corrupted.has(entry) ? corruption.detected : corruption.falseAlarms).add(entry);
  }
  await verify("mlbook verify --fix --json", 0, true);
  const after = await verify("mlbook verify --json after --fix", 0);
  if (after?.corrupt.length) failures.push(`verify --fix left ${after.corrupt.length} corrupt entries`);
  // For each corrupted entry, re-run a command that used it (greedily, the one that used most of
  // those left): it must succeed, rebuild what it used and print the results it printed before.
  const left = new Set(corruption.corrupted);
  const used = (out: Output) => [...entriesOf(out)].filter((e) => left.has(e));
  let reran = 0;
  for (;;) {
    let chosen: [string, {args: string[]; out: Output}] | undefined;
    for (const command of latest)
      if (used(command[1].out).length > (chosen ? used(chosen[1].out).length : 0)) chosen = command;
    if (!chosen) break;
    const [line, {args, out: before}] = chosen;
    for (const e of used(before)) left.delete(e);
    const o = await mlbook(args);
    const label = `re-run after verify --fix: ${line}`;
    if (!(before.kind === "run" ? bookRun(label, args, o) : bookSweep(label, args, o))) continue;
    reran += 1;
    const after = latest.get(line)!.out;
    if (results(after) !== results(before))
      failures.push(
        `${label}: results differ from before the corruption\n      before ${results(before)}\n      after  ${results(after)}`
      );
  }
  // Entries no finished command used (a killed one's) are not rebuilt: they stay discarded.
  const rebuilt = [...corruption.corrupted].filter((e) =>
    existsSync(join(root, "store", e, "manifest.json"))
  );
  const orphaned = left.size;
  if (rebuilt.length !== corruption.corrupted.size - orphaned)
    failures.push(
      `${corruption.corrupted.size - orphaned - rebuilt.length} discarded entries not rebuilt by the re-runs`
    );
  console.log(
    `  verify: ${corruption.detected.size} of ${corruption.corrupted.size} corrupted entries named; ${reran} commands re-run after --fix, ${rebuilt.length} entries rebuilt${orphaned ? ` (${orphaned} used by no finished command)` : ""}`
  );
  const end = await verify("mlbook verify --json after the re-runs", 0);
  if (end?.corrupt.length)
    failures.push(`after the re-runs, verify finds ${end.corrupt.length} corrupt entries`);
}

const journal = {bad: 0, rejected: 0};

/** 6. Garbage in the journal beside a good pending run: `mlbook runs` rejects it and lists every run. */
async function poisonJournal(): Promise<void> {
  phase("6. garbage files in the journal (.mlbook/runs/) beside a pending run");
  const listed = await mlbook(["runs", "--json"]);
  const before = succeeded("mlbook runs --json before the garbage", listed)
    ? (parse<{id: string}[]>("mlbook runs --json", listed.stdout) ?? [])
    : [];
  // The baseline command again: all fresh, so its run is only journaled and waits in runs/ beside the garbage.
  const args = ["run", "--json"];
  const pending = bookRun("baseline run again (all fresh, journaled only)", args, await mlbook(args));
  const runs = join(root, "runs");
  const waiting = pending !== undefined && existsSync(join(runs, `${pending.runId}.json`));
  const texts = ["{}", "not json", '{"params": null}'];
  if (knobs.journalValues && waiting) {
    // Records of the right shape with values the database refuses: a time that is none, a step twice.
    const record = JSON.parse(readFileSync(join(runs, `${pending.runId}.json`), "utf8")) as {
      id: string;
      steps: unknown[];
    };
    texts.push(JSON.stringify({...record, id: `${record.id}-t`, startedAt: "not a time"}));
    texts.push(JSON.stringify({...record, id: `${record.id}-s`, steps: [...record.steps, record.steps[0]]}));
  }
  const bad = texts.map((text, i) => {
    const name = `20200101-00000${i}-${pick(0xffffff).toString(16).padStart(6, "0")}.json`;
    writeFileSync(join(runs, name), text);
    return name;
  });
  journal.bad = bad.length;
  const o = await mlbook(["runs", "--json"]);
  const after = succeeded("mlbook runs --json with garbage in the journal", o)
    ? (parse<{id: string}[]>("mlbook runs --json", o.stdout) ?? [])
    : [];
  for (const [i, name] of bad.entries()) {
    const file = join(runs, name);
    if (existsSync(join(runs, "rejected", name)) && !existsSync(file)) journal.rejected += 1;
    else {
      failures.push(`journal file ${name} (${texts[i].slice(0, 60)}…) was not moved to runs/rejected/`);
      // Taken out by hand, as a user would, so that the tally can read the database.
      rmSync(file, {force: true});
    }
  }
  // (When `mlbook runs` failed, that failure is noted already: no list to compare.)
  const ids = new Set(after.map((r) => r.id));
  const dropped = before.filter((r) => !ids.has(r.id));
  if (o.status === 0 && dropped.length)
    failures.push(`runs listed before the garbage and not after: ${dropped.map((r) => r.id).join(", ")}`);
  if (o.status === 0 && pending && !ids.has(pending.runId))
    failures.push(`the pending run ${pending.runId} is not listed beside the garbage`);
  console.log(
    `  ${journal.rejected} of ${bad.length} garbage files moved to runs/rejected/; ${after.length} runs listed (${before.length} before, and the one ${waiting ? "waiting" : "NOT waiting"} in the journal)`
  );
}

// ---------------------------------------------------------------------------------------------
// The tally

interface Listed {
  id: string;
  status: string;
  sweep_id: string | null;
  sweep_role: string | null;
  metrics: Record<string, number>;
}

async function tally(): Promise<void> {
  phase("tally");
  const o = await mlbook(["runs", "--json"]);
  const listed = succeeded("mlbook runs --json (tally)", o) ? (parse<Listed[]>("runs", o.stdout) ?? []) : [];
  const byId = new Map<string, Listed[]>();
  for (const r of listed) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  const duplicated = [...byId].filter(([, rs]) => rs.length > 1).map(([id]) => id);
  const matched = new Set<string>();
  const lost: Expected[] = [];
  for (const e of expected) {
    const found = e.id
      ? (byId.get(e.id) ?? [])
      : listed.filter((r) => r.sweep_id === e.sharedOf && r.sweep_role === "shared");
    if (!found.length) {
      lost.push(e);
      continue;
    }
    if (!e.id && found.length > 1)
      duplicated.push(`${found.length} shared-steps runs of sweep ${e.sharedOf}`);
    for (const r of found) matched.add(r.id);
    const run = found[0];
    if (run.status !== "ok") failures.push(`${e.label}: recorded with status ${run.status}`);
    const differ = Object.entries(e.metrics ?? {}).filter(([k, v]) => run.metrics[k] !== v);
    if (differ.length)
      failures.push(
        `${e.label}: recorded metrics differ from printed ones: ${differ.map(([k, v]) => `${k} ${v} vs ${run.metrics[k]}`).join(", ")}`
      );
  }
  // Runs no finished command reported: what killed commands journaled before they died.
  const extra = listed.filter((r) => !matched.has(r.id));

  // The tracking database corrupted: rebuilt from its history, it lists the same runs, the same way.
  writeFileSync(join(root, "tracking.duckdb"), "corrupted by the fault suite");
  succeeded("mlbook tracking rebuild", await mlbook(["tracking", "rebuild"]));
  const again = await mlbook(["runs", "--json"]);
  const relisted = succeeded("mlbook runs --json (after rebuild)", again)
    ? (parse<Listed[]>("runs", again.stdout) ?? [])
    : [];
  const rebuiltSame = JSON.stringify(relisted) === JSON.stringify(listed);
  if (!rebuiltSame)
    failures.push(
      `the rebuilt tracking database lists ${relisted.length} runs differently from the ${listed.length} before`
    );

  // The store after all that: a last gc leaves no scratch of dead processes, and nothing corrupt.
  succeeded("final mlbook gc", await mlbook(["gc"]));
  const scratchLeft = existsSync(join(root, "tmp")) ? readdirSync(join(root, "tmp")).length : 0;
  if (scratchLeft) failures.push(`${scratchLeft} scratch folders left in .mlbook/tmp after the final gc`);
  const end = await verify("final mlbook verify --json", 0);
  if (end?.corrupt.length) failures.push(`final verify: ${end.corrupt.length} corrupt entries`);
  // Every command has finished: none may have left a process behind.
  const leftovers = [...groups].flatMap(groupMembers);
  if (leftovers.length) {
    failures.push(`${leftovers.length} processes left behind by finished commands: ${leftovers.join(", ")}`);
    for (const pgid of groups) killGroup(pgid);
  }

  const undetected = [...corruption.corrupted].filter((e) => !corruption.detected.has(e));
  const seconds = (performance.now() - wallStart) / 1000;
  console.log(`\nfault suite summary (seed ${knobs.seed}, ${seconds.toFixed(0)} s wall)`);
  console.log(
    `  runs expected ${expected.length}, recorded ${expected.length - lost.length}, lost ${lost.length}, duplicated ${duplicated.length}`
  );
  console.log(
    `  entries corrupted ${corruption.corrupted.size}, detected ${corruption.detected.size}, undetected ${undetected.length}, false alarms ${corruption.falseAlarms.size}`
  );
  console.log(`  journal files bad ${journal.bad}, rejected ${journal.rejected}`);
  console.log(
    `  tracking database corrupted and rebuilt: runs before ${listed.length}, after ${relisted.length}, ${rebuiltSame ? "identical" : "DIFFERENT"}`
  );
  console.log(
    `  kills landed ${stats.killsLanded} runs (${stats.killsMissed} finished first), ${stats.sweepKillsLanded} of ${knobs.sweepKills} sweeps; processes orphaned ${stats.orphans}`
  );
  console.log(
    `  gc passes ${stats.gcPasses}; commands checked ${stats.commands}, failed ${stats.failedCommands}`
  );
  const roles = new Map<string, number>();
  for (const r of extra) roles.set(r.sweep_role ?? "run", (roles.get(r.sweep_role ?? "run") ?? 0) + 1);
  const byRole = [...roles].map(([role, n]) => `${n} ${role}`).join(", ");
  console.log(
    `  runs recorded that no finished command reported (journaled by killed commands) ${extra.length}${byRole ? ` (${byRole})` : ""}`
  );

  for (const e of lost) failures.push(`LOST: ${e.label} (${e.id ?? `shared steps of sweep ${e.sharedOf}`})`);
  for (const id of duplicated) failures.push(`DUPLICATED: ${id}`);
  for (const e of undetected) failures.push(`UNDETECTED corruption: ${e}`);
  for (const e of corruption.falseAlarms) failures.push(`verify named an entry that was not corrupted: ${e}`);
  if (failures.length) {
    console.log(`\n${failures.length} problem(s):`);
    for (const f of failures) console.log(`  - ${f}`);
    console.log(`\nproject kept for a look: ${project} (replay with FAULTS_SEED=${knobs.seed})`);
    process.exitCode = 1;
  } else {
    console.log("\nno loss, no duplicate, no undetected corruption, no failed command");
    if (process.env.FAULTS_KEEP === "1") console.log(`project kept: ${project}`);
    else rmSync(scratch, {recursive: true, force: true});
  }
}

console.log(
  `fault suite: seed ${knobs.seed}, ${knobs.rows} rows, project ${project}, engine ${inPlace ? "this checkout" : `a copy (${engine})`}`
);
const timing = await warmUp();
await killRuns(timing.newC);
await killSweeps(2 * timing.baseline);
await concurrentRuns();
await gcDuringRuns();
await corruptStore();
await poisonJournal();
await tally();
