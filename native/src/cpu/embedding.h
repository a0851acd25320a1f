// Embedding lookup: out[r, :] = table[ids[r], :]. Serves the token embedding (ids = tokens) and
// the learned position embedding (ids = positions 0..T−1 (+ offset), called with
// accumulate_into_out = true so it adds onto the token embedding).
//
// Shapes: ids (rows) int32 in [0, V)   table (V, C)   out (rows, C)     (rows = B·T)
//   embedding_forward : out = table[ids]  (or out += table[ids] when accumulate_into_out)
//   embedding_backward: dtable[ids[r]] += dout[r] for every row r (scatter-add, += like every
//                       gradient here). Threads split the channels and each walks all rows in
//                       order, so repeated ids sum in the same order for any thread count.
// Ids outside [0, V) are refused before anything is written.
#pragma once

#include <cstdint>

namespace neox::cpu {

template <typename T>
void embedding_forward(T* out, const int32_t* ids, const T* table, int64_t rows, int64_t channels,
                       int64_t vocab, bool accumulate_into_out);

template <typename T>
void embedding_backward(T* dtable, const T* dout, const int32_t* ids, int64_t rows, int64_t channels,
                        int64_t vocab);

}  // namespace neox::cpu
