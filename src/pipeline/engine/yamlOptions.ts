/**
 * How every config is read as YAML: its warnings (an unknown tag) are the reader's to report, not
 * printed by Node, and an alias expanding past 100 nodes ("billion laughs") is an error.
 */
export const YAML_OPTIONS = {logLevel: "silent", maxAliasCount: 100} as const;
