export { defaultThreadsPerRank, launchLocal, type LaunchOptions } from './launch-local';
export { engineParallelOptions, launchedRank, reportResult, type LaunchedRank } from './launched-rank';
