// Communicators for JavaScript (minimal: what the actor and the tests need until the engine owns
// its communicators): createCommunicator(options) → Promise<communicator>, whose allReduce,
// barrier and close run on the communicator's own compute thread. See native/ts/native.ts.
#pragma once

#include <napi.h>

namespace neox::binding {

void register_comm(Napi::Env env, Napi::Object exports);

}  // namespace neox::binding
