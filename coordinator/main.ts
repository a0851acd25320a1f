#!/usr/bin/env node
/** `neox-coordinator`: one per cluster; owns runs, agents, plans and checkpoints (ARCHITECTURE.md). */
import { runServiceEntry } from '../common/service-main';

process.exitCode = runServiceEntry(
  {
    binary: 'neox-coordinator',
    usage: 'neox-coordinator [--listen 127.0.0.1:7070] [--state-dir DIR] [--token TOKEN]',
    description:
      'Runs the coordinator: assigns ranks and the parallel topology to neox-agents over gRPC, keeps run\n' +
      'state in SQLite under --state-dir, serves the run API, the agent session stream and the rendezvous\n' +
      'key-value store.',
    missing: 'the coordinator service is not implemented yet (control-plane issue); use "neox train" for local runs',
  },
  process.argv.slice(2),
);
