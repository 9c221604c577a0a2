// Types of scripts/build.mjs for the TypeScript tests that import it.
export declare const ROOT: string;
export declare const INPUTS: string[];
export declare const OUTPUTS: string[];
export declare function electronViteBin(root?: string): string;
export declare function staleReason(root?: string, inputs?: string[], outputs?: string[]): string | undefined;
export declare function buildIfStale(o?: { root?: string; prefix?: string }): boolean;
