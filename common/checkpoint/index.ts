/** Topology-independent checkpoints: safetensors boxes + a manifest, committed atomically. */
export * from './dtypes';
export * from './boxes';
export * from './manifest';
export { SafetensorsFile, writeSafetensors } from './safetensors';
export type { SafetensorsEntry, WrittenFile } from './safetensors';
export * from './writer';
export * from './reader';
