/** Types of the packaging plugin's helpers, for the deploy tests. */
export declare function zipEntries(path: string): Promise<Array<{ name: string; size: number }>>;
export declare const BUDGET_BYTES: number;
