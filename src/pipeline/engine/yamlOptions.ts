import {parseDocument} from "yaml";

/**
 * How every config is read as YAML: its warnings (an unknown tag) are the reader's to report, not
 * printed by Node, and an alias expanding past 100 nodes ("billion laughs") is an error.
 */
export const YAML_OPTIONS = {logLevel: "silent", maxAliasCount: 100} as const;

/**
 * A YAML text's value, read with YAML_OPTIONS. With warnings silent, yaml's `parse` would also
 * return a value for text with errors in it: this throws the first error (or warning) instead.
 */
export function parseYaml(text: string): unknown {
  const doc = parseDocument(text, {logLevel: YAML_OPTIONS.logLevel, prettyErrors: false});
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw problem;
  return doc.toJS({maxAliasCount: YAML_OPTIONS.maxAliasCount});
}
