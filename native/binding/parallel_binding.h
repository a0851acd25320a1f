// An engine's place in a multi-process run, for JavaScript (model/parallel_context.h):
//   parallel  {rank, worldSize, dataParallelSize, modelParallelSize, pipelineStages,
//              dpRank, tpRank, ppRank, zeroStage, stageLayers: [first, end) blocks of this stage}
//              (a single-process engine: rank 0 of 1, every block)
//   tensorInfo() entries' globalShape, boxes, tpReplicated, pipeTiedCopy (set_tensor_placement)
//   barrier() → Promise<void>   resolves once every rank of the world has entered it (after the
//              calls already queued on this engine); a no-op in one process.
//   anyRank(flag) → Promise<boolean>   true when any rank of the world passed true (every rank
//              calls it, in step); flag itself in one process.
// See native/ts/native.ts for the typed interface.
#pragma once

#include <napi.h>

#include "engine_state.h"

namespace neox::binding {

void add_parallel_methods(Napi::Env env, Napi::Object handle, const State& state);

// A tensorInfo entry's placement: globalShape, boxes [{start, shape}] (the global slices the
// local tensor is made of, along dim 0), tpReplicated and pipeTiedCopy.
void set_tensor_placement(Napi::Env env, Napi::Object entry, const model::TensorInfo& tensor);

}  // namespace neox::binding
