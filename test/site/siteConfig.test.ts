import {describe, expect, it} from "vitest";
import {ownPages, sidebar, switcherHeader} from "../../src/site/siteConfig.ts";
import {join} from "node:path";
import {repoRoot} from "../helpers/project.ts";

describe("the site config", () => {
  it("lists a pipeline's own pages in its sidebar section, titled as the page titles itself", () => {
    expect(ownPages(join(repoRoot, "docs"), "cars")).toEqual([
      {name: "Error analysis", path: "/cars/errors"}
    ]);
    const cars = sidebar(repoRoot).find((s) => s.name === "cars") as {pages: {name: string; path: string}[]};
    expect(cars.pages.at(-1)).toEqual({name: "Error analysis", path: "/cars/errors"});
    expect(cars.pages[0]).toEqual({name: "Overview", path: "/cars/index"});
  });

  it("switches to the same page of another pipeline, or to its overview when it has no such page of its own", () => {
    const options = (path: string) =>
      Object.fromEntries(
        [...switcherHeader(repoRoot, path).matchAll(/<option value="([^"]+)"[^>]*>(\w+)</g)].map((m) => [
          m[2],
          m[1]
        ])
      );
    expect(options("/cars/errors")).toEqual({
      penguins: "../penguins/index.html",
      cars: "../cars/errors.html",
      flights: "../flights/index.html",
      movies: "../movies/index.html"
    });
    expect(options("/flights/metrics").cars).toBe("../cars/metrics.html");
  });
});
