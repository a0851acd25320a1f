// Cached decoding for JavaScript (model/decoder.h) on an engine handle:
//   openSequence() → id              a new empty KV cache (ids are never reused)
//   extendSequences([{sequence, tokens: Int32Array, allRows?}]) → Promise<Float32Array[]>
//        appends each feed's tokens to its sequence in one batched forward on the compute thread;
//        one Float32Array per feed: (tokens.length, V) logits when allRows, else the (V) row
//        after the last token
//   releaseSequence(id)              frees the cache (after the calls already queued)
// See native/ts/native.ts for the typed interface.
#pragma once

#include <napi.h>

#include "engine_state.h"

namespace neox::binding {

void add_decode_methods(Napi::Env env, Napi::Object handle, const State& state);

}  // namespace neox::binding
