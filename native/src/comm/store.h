// The rendezvous key-value store: how the ranks of a group find each other before any socket is
// open. Implementations: HashStore (in-process, tests), FileStore (a shared directory) and, in the
// addon, JsStore (calls the actor's TypeScript store, which is the coordinator's KV service).
//
// Keys of different runs and generations must not meet: whoever builds a store scopes it to one
// run and one generation (a fresh FileStore directory, a KV prefix), because a key left by a
// dead generation would look like a live peer.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace neox::comm {

class Store {
 public:
  virtual ~Store() = default;

  // Creates or replaces key.
  virtual void set(const std::string& key, const std::vector<uint8_t>& value) = 0;
  // The value of key; throws Error(Comm) naming the key when it does not exist (wait first).
  virtual std::vector<uint8_t> get(const std::string& key) = 0;
  // Blocks until every key exists or `timeout` has passed. Returns the keys still missing, in
  // the order given (empty: all exist).
  virtual std::vector<std::string> wait(const std::vector<std::string>& keys, std::chrono::milliseconds timeout) = 0;
  // Adds delta to the decimal integer stored at key (absent = 0), atomically for every user of
  // the store, and returns the new value.
  virtual int64_t add(const std::string& key, int64_t delta) = 0;
  // For messages: "in-process hash store", "file store /tmp/run-7/gen-2", "JS store".
  virtual std::string describe() const = 0;
};

// The decimal encoding `add` uses, shared by the implementations.
int64_t parse_store_integer(const std::vector<uint8_t>& value, const std::string& key, const std::string& store);
std::vector<uint8_t> format_store_integer(int64_t value);

}  // namespace neox::comm
