/**
 * Row chunks shared out between threads by claiming: each thread takes the next unclaimed chunk
 * (an atomic counter in `ctrl[0]`) until none is left, and counts the chunks it finished in
 * `ctrl[1]`. A thread that is slow to start simply takes fewer chunks, so the caller never waits
 * for a helper to come up; who computes a row never changes what is computed for it.
 */
export const CHUNK_CTRL_BYTES = 8;

/** The chunk count for `rows`: about 32k rows each, at least 1. */
export function chunkCount(rows: number): number {
  return Math.max(1, Math.ceil(rows / 32_768));
}

/** Rows [from, to) of chunk c of `count` over `rows` rows. */
export function chunkRows(c: number, count: number, rows: number): [number, number] {
  return [Math.floor((rows * c) / count), Math.floor((rows * (c + 1)) / count)];
}

/** Claims and runs chunks until none is left; returns how many this thread ran. */
export function runChunks(
  ctrl: Int32Array,
  count: number,
  rows: number,
  work: (from: number, to: number, chunk: number) => void
): number {
  let ran = 0;
  for (let c = Atomics.add(ctrl, 0, 1); c < count; c = Atomics.add(ctrl, 0, 1)) {
    const [from, to] = chunkRows(c, count, rows);
    work(from, to, c);
    ++ran;
    Atomics.add(ctrl, 1, 1);
    Atomics.notify(ctrl, 1);
  }
  return ran;
}

/**
 * After this thread's last claim: waits until every claimed chunk is finished. A helper that
 * claimed a chunk and then went silent for a minute is taken to be dead.
 */
export function awaitChunks(ctrl: Int32Array, count: number, what: string): void {
  const deadline = Date.now() + 60_000;
  for (let done = Atomics.load(ctrl, 1); done < count; done = Atomics.load(ctrl, 1)) {
    if (Date.now() > deadline) throw new Error(`${what}: a helper thread stopped answering`);
    Atomics.wait(ctrl, 1, done, 1000);
  }
}
