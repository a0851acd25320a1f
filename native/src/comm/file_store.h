// A Store in a directory shared by the ranks (local disk for one host, a shared file system for
// several): one file per key, written to a temporary name and renamed into place, so a reader
// sees a whole value or none. add() serialises writers with flock(2).
//
// The directory is <root>/<scope>, created on first use. The scope must be fresh for each run
// and generation (e.g. "run-7/gen-2"): keys left by an earlier generation would look like live
// peers that have already joined.
#pragma once

#include "comm/store.h"

namespace neox::comm {

class FileStore : public Store {
 public:
  FileStore(const std::string& root, const std::string& scope);

  void set(const std::string& key, const std::vector<uint8_t>& value) override;
  std::vector<uint8_t> get(const std::string& key) override;
  std::vector<std::string> wait(const std::vector<std::string>& keys, std::chrono::milliseconds timeout) override;
  int64_t add(const std::string& key, int64_t delta) override;
  std::string describe() const override { return "file store " + directory_; }

  const std::string& directory() const { return directory_; }

 private:
  std::string path_of(const std::string& key) const;
  bool exists(const std::string& key) const;

  std::string directory_;
};

}  // namespace neox::comm
