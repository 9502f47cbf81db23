// Ablation logic shared by the config editor, the Compare view and the CLI: diffs, names, recipe arithmetic,
// seed statistics, sweeps and the compare table. Pure functions, no I/O.
export * from './candidate.ts';
export * from './diff.ts';
export * from './naming.ts';
export * from './recipe.ts';
export * from './stats.ts';
export * from './sweep.ts';
export {
  comparedSummary,
  compareRuns,
  DEFAULT_COMPARE_KEY,
  describeAt,
  higherIsBetter,
  resolveCompareMetric,
  seriesValues,
  compareTableToCsv,
  formatCompareTable,
} from './compare.ts';
export type {
  BaselineRef,
  CompareAt,
  CompareMetric,
  CompareOptions,
  CompareResult,
  CompareRow,
  CompareRun,
  CompareTable,
  MetricSummary,
} from './compare.ts';
