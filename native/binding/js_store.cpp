#include "js_store.h"

#include <atomic>
#include <future>
#include <sstream>

#include "comm/comm_errors.h"
#include "core/errors.h"

namespace neox::binding {

struct JsStore::Reply {
  std::string error;  // non-empty: the JS call threw or rejected, or returned the wrong type
  std::vector<uint8_t> bytes;
  bool present = false;
  int64_t number = 0;
  std::vector<std::string> keys;
};

// One store call in flight: built on the native thread, run and answered on the JS thread.
struct JsStore::Call {
  enum class Kind { Set, Get, Add, Wait };
  Kind kind;
  std::string key;
  std::vector<uint8_t> value;
  int64_t delta = 0;
  std::vector<std::string> keys;
  int64_t timeout_ms = 0;
  std::promise<Reply> reply;
  std::atomic<bool> settled{false};

  const char* method() const {
    switch (kind) {
      case Kind::Set: return "set";
      case Kind::Get: return "get";
      case Kind::Add: return "add";
      case Kind::Wait: return "wait";
    }
    return "?";
  }
  std::string subject() const { return kind == Kind::Wait ? std::to_string(keys.size()) + " keys" : "key " + key; }

  void answer(Reply r) {
    if (!settled.exchange(true)) reply.set_value(std::move(r));
  }
  void fail(const std::string& message) {
    Reply r;
    r.error = message.empty() ? "(no message)" : message;
    answer(std::move(r));
  }

  // JS thread: invokes store[method](…) and returns what it returned.
  Napi::Value invoke(Napi::Env env, Napi::Object store) const {
    Napi::Value method_value = store.Get(method());
    if (!method_value.IsFunction()) {
      throw Napi::TypeError::New(env, std::string("the store object has no ") + method() + "() method");
    }
    Napi::Function fn = method_value.As<Napi::Function>();
    switch (kind) {
      case Kind::Set:
        return fn.Call(store, {Napi::String::New(env, key), Napi::Buffer<uint8_t>::Copy(env, value.data(), value.size())});
      case Kind::Get:
        return fn.Call(store, {Napi::String::New(env, key)});
      case Kind::Add:
        return fn.Call(store, {Napi::String::New(env, key), Napi::Number::New(env, static_cast<double>(delta))});
      case Kind::Wait: {
        Napi::Array array = Napi::Array::New(env, keys.size());
        for (size_t i = 0; i < keys.size(); ++i) array.Set(static_cast<uint32_t>(i), Napi::String::New(env, keys[i]));
        return fn.Call(store, {array, Napi::Number::New(env, static_cast<double>(timeout_ms))});
      }
    }
    return env.Undefined();
  }

  // JS thread: turns the method's (resolved) value into a Reply; never throws.
  void resolve(Napi::Value value) {
    Reply r;
    const std::string expected_type = std::string("store.") + method() + "() must return ";
    switch (kind) {
      case Kind::Set:
        break;
      case Kind::Get:
        if (value.IsNull() || value.IsUndefined()) break;
        if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
          return fail(expected_type + "a Uint8Array or null");
        } else {
          Napi::Uint8Array array = value.As<Napi::Uint8Array>();
          r.present = true;
          r.bytes.assign(array.Data(), array.Data() + array.ElementLength());
        }
        break;
      case Kind::Add:
        if (!value.IsNumber()) return fail(expected_type + "a number");
        r.number = value.As<Napi::Number>().Int64Value();
        break;
      case Kind::Wait:
        if (!value.IsArray()) return fail(expected_type + "an array of the keys still missing");
        {
          Napi::Array array = value.As<Napi::Array>();
          for (uint32_t i = 0; i < array.Length(); ++i) {
            Napi::Value item = array.Get(i);
            if (!item.IsString()) return fail(expected_type + "an array of strings");
            r.keys.push_back(item.As<Napi::String>().Utf8Value());
          }
        }
        break;
    }
    answer(std::move(r));
  }
};

namespace {

std::string describe_rejection(Napi::Value reason) {
  if (reason.IsObject()) {
    Napi::Value message = reason.As<Napi::Object>().Get("message");
    if (message.IsString()) return message.As<Napi::String>().Utf8Value();
  }
  Napi::MaybeOrValue<Napi::String> text = reason.ToString();
  return text.Utf8Value();
}

bool is_thenable(Napi::Value value) {
  return value.IsPromise() || (value.IsObject() && value.As<Napi::Object>().Get("then").IsFunction());
}

}  // namespace

void JsStore::call_js(Napi::Env env, Napi::Function, Napi::ObjectReference* store, std::shared_ptr<Call>* holder) {
  std::shared_ptr<Call> call = std::move(*holder);
  delete holder;
  if (env == nullptr || store == nullptr) {
    call->fail("the Node environment is shutting down");
    return;
  }
  try {
    Napi::HandleScope scope(env);
    Napi::Value result = call->invoke(env, store->Value());
    if (!is_thenable(result)) {
      call->resolve(result);
      return;
    }
    Napi::Function on_value = Napi::Function::New(env, [call](const Napi::CallbackInfo& info) {
      try {
        call->resolve(info[0]);
      } catch (const std::exception& e) {
        call->fail(e.what());
      }
    });
    Napi::Function on_error = Napi::Function::New(env, [call](const Napi::CallbackInfo& info) {
      try {
        call->fail(describe_rejection(info[0]));
      } catch (const std::exception& e) {
        call->fail(e.what());
      }
    });
    result.As<Napi::Object>().Get("then").As<Napi::Function>().Call(result, {on_value, on_error});
  } catch (const std::exception& e) {
    call->fail(e.what());
  }
}

JsStore::JsStore(Napi::Env env, Napi::Object store, std::chrono::milliseconds call_timeout)
    : call_timeout_(call_timeout) {
  auto* reference = new Napi::ObjectReference(Napi::Persistent(store));
  tsfn_ = Tsfn::New(env, "neox.comm.store", 0, 1, reference,
                    [](Napi::Env, void*, Napi::ObjectReference* context) { delete context; });
  // An idle store must not keep the process alive; a call in flight is kept alive by the
  // promise worker that waits for it.
  tsfn_.Unref(env);
}

JsStore::~JsStore() {
  tsfn_.Release();
}

JsStore::Reply JsStore::run(const std::shared_ptr<Call>& call, std::chrono::milliseconds budget) {
  std::future<Reply> reply = call->reply.get_future();
  auto* holder = new std::shared_ptr<Call>(call);
  const napi_status status = tsfn_.BlockingCall(holder);
  if (status != napi_ok) {
    delete holder;
    NEOX_CHECK(false, ErrorCode::Comm,
               "JS store " << call->method() << "(" << call->subject()
                           << ") could not be queued to the JS thread (napi status " << status
                           << "); is the process shutting down?");
  }
  NEOX_CHECK(reply.wait_for(budget) == std::future_status::ready, ErrorCode::Comm,
             "JS store " << call->method() << "(" << call->subject() << ") did not answer within "
                         << comm::format_duration(budget)
                         << "; is the coordinator's key-value service reachable? (raise comm_timeout_seconds if it "
                         << "is slow)");
  Reply r = reply.get();
  NEOX_CHECK(r.error.empty(), ErrorCode::Comm,
             "JS store " << call->method() << "(" << call->subject() << ") failed: " << r.error);
  return r;
}

void JsStore::set(const std::string& key, const std::vector<uint8_t>& value) {
  auto call = std::make_shared<Call>();
  call->kind = Call::Kind::Set;
  call->key = key;
  call->value = value;
  run(call, call_timeout_);
}

std::vector<uint8_t> JsStore::get(const std::string& key) {
  auto call = std::make_shared<Call>();
  call->kind = Call::Kind::Get;
  call->key = key;
  Reply r = run(call, call_timeout_);
  NEOX_CHECK(r.present, ErrorCode::Comm, "store key " << key << " does not exist in the JS store; wait for it before get");
  return std::move(r.bytes);
}

std::vector<std::string> JsStore::wait(const std::vector<std::string>& keys, std::chrono::milliseconds timeout) {
  auto call = std::make_shared<Call>();
  call->kind = Call::Kind::Wait;
  call->keys = keys;
  call->timeout_ms = timeout.count();
  return run(call, timeout + call_timeout_).keys;
}

int64_t JsStore::add(const std::string& key, int64_t delta) {
  auto call = std::make_shared<Call>();
  call->kind = Call::Kind::Add;
  call->key = key;
  call->delta = delta;
  return run(call, call_timeout_).number;
}

}  // namespace neox::binding
