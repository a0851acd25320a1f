// The training engine for JavaScript: createEngine(spec) → Promise<engine>, whose methods run on
// the engine's own compute thread (compute_thread.h). Long calls (trainStep, evalLoss, logits)
// return Promises settled by a PromiseWorker; the short synchronous ones (getTensor, setTensor,
// getGradient, optimizer step count) wait for the calls queued before them. See native/ts/native.ts.
#pragma once

#include <napi.h>

namespace neox::binding {

void register_engine(Napi::Env env, Napi::Object exports);

}  // namespace neox::binding
