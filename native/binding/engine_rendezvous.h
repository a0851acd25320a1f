// How a multi-process engine meets its peers: spec.parallel (native/ts/native.ts,
// EngineParallelOptions) read into the world communicator's Gloo options and store. The store is
// either the caller's JS CommStore (production: the coordinator's KV service) or a directory
// on a file system every rank sees (comm/file_store.h; the local launcher, node/launch/).
// spec.parallel null = a single-process engine.
#pragma once

#include <napi.h>

#include <memory>
#include <optional>

#include "comm/gloo_communicator.h"
#include "comm/store.h"

namespace neox::binding {

struct EngineRendezvous {
  std::shared_ptr<comm::Store> store;
  comm::GlooOptions gloo;
};

// JS thread only (a JS store is bound to it). Throws a TypeError naming the field when malformed.
std::optional<EngineRendezvous> read_engine_rendezvous(const Napi::Object& spec);

}  // namespace neox::binding
