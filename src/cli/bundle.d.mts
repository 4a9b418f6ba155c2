/** The path of an up-to-date bundle of `source` (relative to the repository), built first when none is (bundle.mjs). */
export function bundled(source: string, name: string): Promise<string>;
