#!/usr/bin/env node
/** `neox-agent`: one per host; dials the coordinator and runs one actor process per slot. */
import { runServiceEntry } from '../../common/service-main';

process.exitCode = runServiceEntry(
  {
    binary: 'neox-agent',
    usage: 'neox-agent --coordinator HOST:PORT [--cpu-slots N] [--threads-per-slot T] [--token TOKEN]',
    description:
      'Runs the per-host agent: registers its slots (GPUs found by nvidia-smi, or --cpu-slots), keeps one\n' +
      'bidirectional stream to the coordinator, spawns one actor process per assigned slot and reports\n' +
      'every exit.',
    missing: 'the agent service is not implemented yet (control-plane issue); use "neox train" for local runs',
  },
  process.argv.slice(2),
);
