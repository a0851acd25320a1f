// Lets Gloo's rendezvous (connectFullMesh) use a neox Store: keys live under one prefix, waits
// honour the group's timeout, and a key that never appears is reported as a Comm error.
#pragma once

#include <gloo/rendezvous/store.h>

#include <chrono>
#include <string>

#include "comm/communicator.h"
#include "comm/store.h"

namespace neox::comm {

class GlooStoreAdapter : public gloo::rendezvous::Store {
 public:
  GlooStoreAdapter(comm::Store& store, std::string prefix, const GroupInfo& group, std::chrono::milliseconds timeout);

  void set(const std::string& key, const std::vector<char>& data) override;
  std::vector<char> get(const std::string& key) override;
  void wait(const std::vector<std::string>& keys) override;
  void wait(const std::vector<std::string>& keys, const std::chrono::milliseconds& timeout) override;

 private:
  std::string full_key(const std::string& key) const { return prefix_ + "/" + key; }

  comm::Store& store_;
  std::string prefix_;
  const GroupInfo& group_;
  std::chrono::milliseconds timeout_;
};

}  // namespace neox::comm
