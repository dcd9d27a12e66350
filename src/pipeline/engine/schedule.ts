/**
 * Runs the steps of a DAG, each as soon as the steps it reads are done, so independent steps run
 * at once (a data check's DuckDB queries beside a model fit). After a failure no new step starts;
 * steps already running finish — their store entries are valid — and the first error is thrown.
 * A `last` step (register) starts only once every step before it has finished: nothing is
 * registered while a check that might fail is still running.
 */
export async function runDag<T>(
  /** Step names in topological order. */
  names: readonly string[],
  inputsOf: (name: string) => readonly string[],
  run: (name: string) => Promise<T>,
  options: {last?: ReadonlySet<string>} = {}
): Promise<Map<string, T>> {
  const results = new Map<string, T>();
  const tasks = new Map<string, Promise<void>>();
  let failure: {error: unknown} | undefined;
  for (const name of names) {
    const before = options.last?.has(name)
      ? [...tasks.values()]
      : inputsOf(name).flatMap((input) => tasks.get(input) ?? []);
    tasks.set(
      name,
      Promise.all(before).then(async () => {
        if (failure) return;
        try {
          results.set(name, await run(name));
        } catch (error) {
          failure ??= {error};
        }
      })
    );
  }
  await Promise.all(tasks.values());
  if (failure) throw failure.error;
  return results;
}
