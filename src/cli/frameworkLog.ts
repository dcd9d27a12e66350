const ANSI = String.raw`(?:\x1b\[[0-9;]*m)*`;
/** Where the preview starts printing a socket message: a (faint) arrow and a space. */
const ARROW = new RegExp(`${ANSI}[↑↓]${ANSI} `);
/**
 * Whole lines of chatter: socket open/close, and Framework's npm resolver and CDN fetches of
 * libraries no page imports (`npm:d3 → npm:d3@7.9.2`, written in two parts that interleave, so
 * lines of bare `npm:echarts@6.1.0` are left over; `npm:react-dom@… → …/cache/…`).
 */
const CHATTER = new RegExp(`^${ANSI}(?:socket (?:open|close)|npm:)[^\\n]*\\n`, "gm");

/**
 * Framework's terminal output, with its chatter left out: the preview's socket messages (`↑ {…}`,
 * `↓ {type: 'update', code: …}`, dumped over many lines, often in the middle of another line such
 * as `load /data/x.json → … [stale]`), `socket open/close`, and the CDN fetches it attempts for
 * libraries no page imports (`npm:react-dom@… → …`). Page requests, loader output, errors and the
 * build summary pass through. `--verbose` keeps it all. Returns a function taking each chunk of
 * output and giving what to print: text up to the last complete line (the rest waits).
 */
export function frameworkLog(options: {verbose?: boolean} = {}): (chunk: string) => string {
  if (options.verbose) return (chunk) => chunk;
  let pending = "";
  let inDump = false;
  return (chunk) => {
    pending += chunk;
    const cut = pending.lastIndexOf("\n") + 1;
    let text = pending.slice(0, cut);
    pending = pending.slice(cut);
    let out = "";
    while (text) {
      if (inDump) {
        // util.inspect closes a multi-line message with its brace alone at the start of a line.
        const end = /^\}\n/m.exec(text);
        if (!end) return finish(out);
        text = text.slice(end.index + end[0].length);
        inDump = false;
        continue;
      }
      const arrow = ARROW.exec(text);
      if (!arrow) {
        out += text;
        break;
      }
      out += text.slice(0, arrow.index);
      text = text.slice(arrow.index + arrow[0].length);
      if (/^\{\n/.test(text)) {
        inDump = true;
        text = text.slice(2);
      } else text = text.slice(text.indexOf("\n") + 1); // a message on one line
    }
    return finish(out);
  };
}

function finish(text: string): string {
  return text.replace(CHATTER, "");
}
