#include "decode_binding.h"

#include <memory>
#include <string>
#include <vector>

#include "core/errors.h"
#include "core/threads.h"
#include "promise_worker.h"

namespace neox::binding {
namespace {

// The decoder over the trainer's model, created on first use (on the compute thread).
model::Decoder<float>& decoder_of(EngineState& state) {
  NEOX_CHECK_ARG(state.trainer != nullptr, "extendSequences: the engine is closed; create a new one");
  if (!state.decoder) state.decoder = std::make_unique<model::Decoder<float>>(state.trainer->model());
  return *state.decoder;
}

Napi::Value open_sequence(const Napi::CallbackInfo& info, const State& state) {
  Napi::Env env = info.Env();
  check_open(env, *state, "openSequence");
  const int64_t id = state->next_sequence++;
  state->open_sequences.insert(id);
  EngineState* raw = state.get();  // see close() in engine_binding.cpp: no shared_ptr on the compute thread
  state->thread.submit([raw, id] { decoder_of(*raw).open(id); });
  return Napi::Number::New(env, double(id));
}

Napi::Value release_sequence(const Napi::CallbackInfo& info, const State& state) {
  Napi::Env env = info.Env();
  check_open(env, *state, "releaseSequence");
  const int64_t id = integer_arg(info, 0, "releaseSequence", "id");
  if (state->open_sequences.erase(id) == 0) {
    throw_invalid(env, "releaseSequence: sequence " + std::to_string(id) +
                           " is not open (never opened or already released)");
  }
  EngineState* raw = state.get();
  state->thread.submit([raw, id] { raw->decoder->release(id); });
  return env.Undefined();
}

struct Feed {
  int64_t sequence;
  std::vector<int32_t> tokens;
  bool all_rows;
};

std::vector<Feed> read_feeds(const Napi::CallbackInfo& info, const EngineState& state) {
  Napi::Env env = info.Env();
  const char* call = "extendSequences";
  if (info.Length() < 1 || !info[0].IsArray()) {
    throw Napi::TypeError::New(env, "extendSequences(feeds): feeds must be an array of {sequence, tokens, allRows?}");
  }
  const Napi::Array array = info[0].As<Napi::Array>();
  std::vector<Feed> feeds;
  for (uint32_t i = 0; i < array.Length(); ++i) {
    const std::string where = std::string(call) + ": feeds[" + std::to_string(i) + "]";
    const Napi::Value item = array.Get(i);
    if (!item.IsObject()) throw Napi::TypeError::New(env, where + " must be an object {sequence, tokens, allRows?}");
    const Napi::Object feed = item.As<Napi::Object>();
    const Napi::Value sequence = feed.Get("sequence"), tokens = feed.Get("tokens"), all_rows = feed.Get("allRows");
    if (!sequence.IsNumber()) throw Napi::TypeError::New(env, where + ".sequence must be a number from openSequence()");
    const int64_t id = sequence.As<Napi::Number>().Int64Value();
    if (state.open_sequences.count(id) == 0 || double(id) != sequence.As<Napi::Number>().DoubleValue()) {
      throw_invalid(env, where + ".sequence " + sequence.ToString().Utf8Value() +
                             " is not open (never opened or already released); call openSequence() first");
    }
    if (!tokens.IsTypedArray() || tokens.As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
      throw Napi::TypeError::New(env, where + ".tokens must be an Int32Array (got " + typed_array_name(tokens) + ")");
    }
    if (!all_rows.IsUndefined() && !all_rows.IsBoolean()) {
      throw Napi::TypeError::New(env, where + ".allRows must be a boolean when given");
    }
    const Napi::Int32Array ids = tokens.As<Napi::Int32Array>();
    feeds.push_back({id, std::vector<int32_t>(ids.Data(), ids.Data() + ids.ElementLength()),
                     all_rows.IsBoolean() && all_rows.As<Napi::Boolean>().Value()});
  }
  return feeds;
}

// extendSequences(feeds) → Promise<Float32Array[]>
Napi::Value extend_sequences(const Napi::CallbackInfo& info, const State& state) {
  Napi::Env env = info.Env();
  check_open(env, *state, "extendSequences");
  auto feeds = std::make_shared<std::vector<Feed>>(read_feeds(info, *state));
  struct Output {
    std::shared_ptr<std::vector<float>> logits;
    std::vector<int64_t> rows;  // per feed
    int64_t vocab = 0;
  };
  EngineState* raw = state.get();
  return PromiseWorker<Output>::start(
      env, state->thread, info.This().As<Napi::Object>(),
      [raw, feeds] {
        model::Decoder<float>& decoder = decoder_of(*raw);
        std::vector<model::DecodeFeed> plan;
        Output out;
        for (const Feed& f : *feeds) {
          plan.push_back({f.sequence, f.tokens.data(), int64_t(f.tokens.size()), f.all_rows});
          out.rows.push_back(f.all_rows ? int64_t(f.tokens.size()) : 1);
        }
        decoder.check(plan);
        out.vocab = raw->trainer->model_config().vocab_size;
        out.logits = std::make_shared<std::vector<float>>(size_t(decoder.output_rows(plan) * out.vocab));
        set_num_threads(raw->trainer->threads());
        decoder.extend(plan, out.logits->data());
        return out;
      },
      [](Napi::Env env, Output& out) -> Napi::Value {
        if (out.rows.empty()) return Napi::Array::New(env, 0);
        // One ArrayBuffer owning the vector; each feed's rows are a view into it.
        auto* owned = new std::vector<float>(std::move(*out.logits));
        Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(
            env, owned->data(), owned->size() * sizeof(float),
            [](Napi::Env, void*, std::vector<float>* v) { delete v; }, owned);
        Napi::Array result = Napi::Array::New(env, out.rows.size());
        size_t offset = 0;
        for (size_t i = 0; i < out.rows.size(); ++i) {
          const size_t count = size_t(out.rows[i] * out.vocab);
          result.Set(uint32_t(i), Napi::Float32Array::New(env, count, buffer, offset * sizeof(float)));
          offset += count;
        }
        return result;
      });
}

}  // namespace

void add_decode_methods(Napi::Env env, Napi::Object handle, const State& state) {
  define_method(env, handle, "openSequence", state, open_sequence);
  define_method(env, handle, "extendSequences", state, extend_sequences);
  define_method(env, handle, "releaseSequence", state, release_sequence);
}

}  // namespace neox::binding
