#include "model/decoder.h"

#include <algorithm>
#include <cstring>
#include <set>

#include "core/errors.h"
#include "cpu/bias_dropout_residual.h"
#include "cpu/cached_attention.h"
#include "cpu/embedding.h"
#include "cpu/matmul.h"
#include "cpu/rotary.h"
#include "cpu/skinny_matmul.h"
#include "model/mlp_activation.h"
#include "model/norm.h"
#include "model/op_profile.h"

namespace neox::model {

namespace {

const cpu::DropoutSpec kNoDropout{};

// Weights of at least this many elements are streamed once for a few rows rather than packed by
// sgemm. Measured on Pythia-70M decode at batch 2-8: with AVX-512 (Zen 5) sgemm was as fast or
// faster for the layer matrices and only the output layer (2^24.6 elements) gained; with AVX2
// (Zen 3) streaming won for every matrix (batch 8: 29 -> 23 ms per step).
#if defined(__AVX512F__)
constexpr int64_t kStreamedWeight = int64_t(1) << 22;
#else
constexpr int64_t kStreamedWeight = 0;
#endif

// out = inp·wᵀ (+ b). A decode step has one row per sequence, and sgemm would first pack the whole
// weight matrix, which costs more than the product: one row goes through gemv, a few rows against
// a large matrix through skinny_matmul.
template <typename T>
void linear(T* out, const T* inp, const T* w, const T* b, int64_t rows, int64_t in_features, int64_t out_features) {
  if (rows == 1) {
    if (b != nullptr) std::memcpy(out, b, sizeof(T) * size_t(out_features));
    cpu::gemv<T>(false, out_features, in_features, T(1), w, in_features, inp, b != nullptr ? T(1) : T(0), out);
  } else if (rows <= cpu::kSkinnyMaxRows && in_features * out_features >= kStreamedWeight) {
    cpu::skinny_matmul_forward(out, inp, w, b, rows, in_features, out_features);
  } else {
    cpu::matmul_forward(out, inp, w, b, rows, in_features, out_features);
  }
}

cpu::QkvLayout sequence_layout(const ModelConfig& c, int64_t rows) {
  return cpu::QkvLayout::gpt_neox(1, rows, c.num_heads, c.num_kv_heads, c.head_size());
}

}  // namespace

template <typename T>
Decoder<T>::Decoder(const GptModel<T>& model) : model_(model) {
  const ModelConfig& c = model.config();
  if (c.pos_emb == PositionKind::rotary) {
    rotary_dims_ = cpu::rotary_dims(c.head_size(), c.rotary_pct);
    rotary_cos_.reset(c.position_count() * rotary_dims_ / 2);
    rotary_sin_.reset(c.position_count() * rotary_dims_ / 2);
    cpu::rotary_tables(rotary_cos_.data(), rotary_sin_.data(), c.position_count(), rotary_dims_, c.rotary_base);
  }
}

template <typename T>
void Decoder<T>::open(int64_t id) {
  NEOX_CHECK_ARG(!has(id), "decoder: sequence " << id << " is already open; release it first or use a new id");
  const ModelConfig& c = model_.config();
  caches_.emplace(id, KvCache<T>(c.num_layers, c.num_kv_heads * c.head_size()));
}

template <typename T>
void Decoder<T>::release(int64_t id) {
  NEOX_CHECK_ARG(caches_.erase(id) == 1, "decoder: sequence " << id << " is not open (never opened or already released)");
}

template <typename T>
int64_t Decoder<T>::length(int64_t id) const {
  const auto it = caches_.find(id);
  NEOX_CHECK_ARG(it != caches_.end(), "decoder: sequence " << id << " is not open (never opened or already released)");
  return it->second.length();
}

template <typename T>
int64_t Decoder<T>::max_positions() const {
  const ModelConfig& c = model_.config();
  if (c.pos_emb == PositionKind::learned) return c.max_position_embeddings - c.position_offset;
  return c.position_count();
}

template <typename T>
int64_t Decoder<T>::output_rows(const std::vector<DecodeFeed>& feeds) const {
  int64_t rows = 0;
  for (const DecodeFeed& f : feeds) rows += f.all_rows ? f.count : 1;
  return rows;
}

template <typename T>
void Decoder<T>::check(const std::vector<DecodeFeed>& feeds) const {
  const int64_t V = model_.config().vocab_size;
  std::set<int64_t> seen;
  for (size_t i = 0; i < feeds.size(); ++i) {
    const DecodeFeed& f = feeds[i];
    NEOX_CHECK_ARG(f.count >= 1 && f.tokens != nullptr,
                   "decoder: feed " << i << " (sequence " << f.sequence << ") has " << f.count << " tokens; give at least one");
    NEOX_CHECK_ARG(seen.insert(f.sequence).second,
                   "decoder: sequence " << f.sequence << " appears twice in one call (feeds " << i
                   << "); give each sequence's tokens in one feed");
    const int64_t length = this->length(f.sequence);
    NEOX_CHECK_ARG(length + f.count <= max_positions(),
                   "decoder: sequence " << f.sequence << " would hold " << length + f.count << " positions ("
                   << length << " cached + " << f.count << " new), more than the model's " << max_positions()
                   << " (max_position_embeddings / seq_length); shorten the prompt or generate fewer tokens");
    for (int64_t t = 0; t < f.count; ++t) {
      NEOX_CHECK_ARG(f.tokens[t] >= 0 && f.tokens[t] < V,
                     "decoder: token id " << f.tokens[t] << " of sequence " << f.sequence << " (new token " << t
                     << ") is outside [0, " << V << ") (padded_vocab_size); check the tokenizer against the config");
    }
  }
}

template <typename T>
void Decoder<T>::ensure_rows(int64_t rows) {
  if (rows <= capacity_rows_) return;
  const ModelConfig& c = model_.config();
  const size_t R = size_t(rows), C = size_t(c.hidden_size);
  ids_.resize(R);
  positions_.resize(R);
  for (auto* v : {&x_, &x_next_, &norm_out_, &attn_, &branch_, &mid_}) v->resize(R * C);
  mean_.resize(R);
  rstd_.resize(R);
  qkv_.resize(R * size_t(c.qkv_width()));
  fc1_.resize(R * size_t(c.mlp_linear1_width));
  act_.resize(R * size_t(c.mlp_hidden_width()));
  capacity_rows_ = rows;
}

template <typename T>
void Decoder<T>::layer(int64_t l, const std::vector<DecodeFeed>& feeds, const std::vector<int64_t>& first_row) {
  const ModelConfig& c = model_.config();
  const int64_t R = first_row.back(), C = c.hidden_size, W = c.qkv_width(), HS = c.head_size();
  const int64_t kv_width = c.num_kv_heads * HS, F1 = c.mlp_linear1_width, F2 = c.mlp_hidden_width();
  const LayerTensors<const T> w = model_.layout().layer(model_.params(), l);
  const T* x = x_.data();
  T* x_out = x_next_.data();

  timed("decode norm", [&] {
    norm_forward(c.norm, norm_out_.data(), mean_.data(), rstd_.data(), x, w.ln1_weight, w.ln1_bias, R, C, c.norm_eps);
  });
  timed("decode qkv linear", [&] { linear(qkv_.data(), norm_out_.data(), w.qkv_weight, w.qkv_bias, R, C, W); });
  std::vector<cpu::CachedAttentionSequence<T>> attention;
  attention.reserve(feeds.size());
  timed("decode rotary + cache append", [&] {
    for (size_t i = 0; i < feeds.size(); ++i) {
      const int64_t n = feeds[i].count, row0 = first_row[i];
      KvCache<T>& cache = caches_.at(feeds[i].sequence);
      const int64_t past = cache.length();
      const cpu::QkvLayout layout = sequence_layout(c, n);
      T* qkv = qkv_.data() + row0 * W;
      if (rotary_dims_ > 0) {
        cpu::rotary_forward(qkv, layout, rotary_cos_.data(), rotary_sin_.data(), c.position_count(), rotary_dims_, past);
      }
      for (int64_t t = 0; t < n; ++t) {
        for (int64_t g = 0; g < c.num_kv_heads; ++g) {
          std::memcpy(cache.keys(l) + (past + t) * kv_width + g * HS, qkv + layout.k_index(0, t, g), sizeof(T) * size_t(HS));
          std::memcpy(cache.values(l) + (past + t) * kv_width + g * HS, qkv + layout.v_index(0, t, g), sizeof(T) * size_t(HS));
        }
      }
      attention.push_back({qkv, attn_.data() + row0 * C, n, cache.keys(l), cache.values(l), past});
    }
  });
  timed("decode attention", [&] { cpu::cached_attention_forward(attention, sequence_layout(c, 0), c.sliding_window); });
  timed("decode dense linear", [&] { linear<T>(branch_.data(), attn_.data(), w.dense_weight, nullptr, R, C, C); });
  // As in transformer_layer.cpp: parallel residual adds both branches onto x; sequential feeds the
  // MLP the middle residual.
  T* after_attention = c.parallel_residual ? x_out : mid_.data();
  const T* mlp_in = c.parallel_residual ? x : mid_.data();
  timed("decode bias + residual", [&] {
    cpu::bias_dropout_residual_forward(after_attention, branch_.data(), w.dense_bias, x, R, C, kNoDropout);
  });
  timed("decode norm", [&] {
    norm_forward(c.norm, norm_out_.data(), mean_.data(), rstd_.data(), mlp_in, w.ln2_weight, w.ln2_bias, R, C, c.norm_eps);
  });
  timed("decode mlp linear1", [&] { linear(fc1_.data(), norm_out_.data(), w.fc1_weight, w.fc1_bias, R, C, F1); });
  timed("decode activation", [&] { mlp_activation_forward(c.activation, act_.data(), fc1_.data(), R, F2); });
  timed("decode mlp linear2", [&] { linear<T>(branch_.data(), act_.data(), w.fc2_weight, nullptr, R, F2, C); });
  timed("decode bias + residual", [&] {
    cpu::bias_dropout_residual_forward(x_out, branch_.data(), w.fc2_bias, after_attention, R, C, kNoDropout);
  });
  std::swap(x_, x_next_);
}

template <typename T>
void Decoder<T>::extend(const std::vector<DecodeFeed>& feeds, T* out) {
  check(feeds);
  if (feeds.empty()) return;
  const ModelConfig& c = model_.config();
  const ParamLayout& layout = model_.layout();
  const T* p = model_.params();
  const int64_t C = c.hidden_size;
  std::vector<int64_t> first_row(feeds.size() + 1, 0);
  for (size_t i = 0; i < feeds.size(); ++i) first_row[i + 1] = first_row[i] + feeds[i].count;
  const int64_t R = first_row.back();
  ensure_rows(R);
  for (size_t i = 0; i < feeds.size(); ++i) {
    KvCache<T>& cache = caches_.at(feeds[i].sequence);
    cache.reserve(cache.length() + feeds[i].count);
    for (int64_t t = 0; t < feeds[i].count; ++t) {
      ids_[size_t(first_row[i] + t)] = feeds[i].tokens[t];
      positions_[size_t(first_row[i] + t)] = int32_t(cache.length() + t + c.position_offset);
    }
  }
  cpu::embedding_forward(x_.data(), ids_.data(), p + layout.word_embeddings(), R, C, c.vocab_size, false);
  if (c.pos_emb == PositionKind::learned) {
    cpu::embedding_forward(x_.data(), positions_.data(), p + layout.position_embeddings(), R, C,
                           c.max_position_embeddings, true);
  }
  for (int64_t l = 0; l < c.num_layers; ++l) layer(l, feeds, first_row);
  for (size_t i = 0; i < feeds.size(); ++i) {
    KvCache<T>& cache = caches_.at(feeds[i].sequence);
    cache.set_length(cache.length() + feeds[i].count);
  }

  // The final norm and output layer on the rows asked for only (gathered into branch_).
  int64_t selected = 0;
  for (size_t i = 0; i < feeds.size(); ++i) {
    const int64_t begin = feeds[i].all_rows ? first_row[i] : first_row[i + 1] - 1;
    const int64_t rows = first_row[i + 1] - begin;
    std::memcpy(branch_.data() + selected * C, x_.data() + begin * C, sizeof(T) * size_t(rows * C));
    selected += rows;
  }
  norm_forward(c.norm, norm_out_.data(), mean_.data(), rstd_.data(), branch_.data(), p + layout.final_norm_weight(),
               ParamLayout::at(p, layout.final_norm_bias()), selected, C, c.norm_eps);
  timed("decode output layer", [&] {
    linear<T>(out, norm_out_.data(), p + layout.output_weight(), nullptr, selected, C, c.vocab_size);
  });
}

template <typename T>
int64_t Decoder<T>::bytes() const {
  int64_t total = (rotary_cos_.size() + rotary_sin_.size()) * int64_t(sizeof(T));
  for (const auto& [id, cache] : caches_) total += cache.bytes();
  for (const auto* v : {&x_, &x_next_, &norm_out_, &mean_, &rstd_, &qkv_, &attn_, &branch_, &mid_, &fc1_, &act_}) {
    total += int64_t(v->capacity() * sizeof(T));
  }
  return total;
}

template class Decoder<float>;
template class Decoder<double>;

}  // namespace neox::model
