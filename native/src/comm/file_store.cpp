#include "comm/file_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "core/errors.h"

namespace neox::comm {
namespace {

// Key bytes outside [A-Za-z0-9._-] become %XX, so any key is one flat file name.
std::string encode_key(const std::string& key) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : key) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                       c == '_' || c == '-';
    if (plain) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  // "." and ".." are not file names we can own; a leading '.' marks our temporary files.
  if (out.empty() || out[0] == '.') out = "%" + out;
  return out;
}

void make_directories(const std::string& path) {
  std::string prefix;
  std::istringstream parts(path);
  std::string part;
  if (!path.empty() && path[0] == '/') prefix = "/";
  while (std::getline(parts, part, '/')) {
    if (part.empty()) continue;
    prefix += part + "/";
    if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) {
      NEOX_CHECK(false, ErrorCode::Io,
                 "file store: cannot create directory " << prefix << ": " << std::strerror(errno)
                                                        << "; check the path and its permissions");
    }
  }
}

// Holds flock(LOCK_EX) on a lock file for the lifetime of the object.
class FileLock {
 public:
  explicit FileLock(const std::string& path) : fd_(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    NEOX_CHECK(fd_ >= 0, ErrorCode::Io, "file store: cannot open lock file " << path << ": " << std::strerror(errno));
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd_);
      NEOX_CHECK(false, ErrorCode::Io, "file store: cannot lock " << path << ": " << std::strerror(error));
    }
  }
  ~FileLock() {
    ::flock(fd_, LOCK_UN);
    ::close(fd_);
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;
};

}  // namespace

FileStore::FileStore(const std::string& root, const std::string& scope) {
  NEOX_CHECK_ARG(!root.empty(), "file store: the root directory is empty; pass a directory all ranks can reach");
  NEOX_CHECK_ARG(!scope.empty() && scope.find("..") == std::string::npos,
                 "file store: scope \"" << scope << "\" must be non-empty and must not contain \"..\"; "
                                        << "use one per run and generation, e.g. run-7/gen-2");
  directory_ = root + "/" + scope;
  make_directories(directory_);
}

std::string FileStore::path_of(const std::string& key) const {
  return directory_ + "/" + encode_key(key);
}

bool FileStore::exists(const std::string& key) const {
  struct stat info;
  return ::stat(path_of(key).c_str(), &info) == 0;
}

void FileStore::set(const std::string& key, const std::vector<uint8_t>& value) {
  static std::atomic<uint64_t> counter{0};
  const std::string path = path_of(key);
  const std::string temporary = directory_ + "/.tmp." + std::to_string(::getpid()) + "." +
                                std::to_string(counter.fetch_add(1)) + "." + encode_key(key);
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(value.data()), static_cast<std::streamsize>(value.size()));
    out.close();
    NEOX_CHECK(out.good(), ErrorCode::Io,
               "file store: cannot write " << temporary << " (key " << key << "); is the disk full or read-only?");
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temporary.c_str());
    NEOX_CHECK(false, ErrorCode::Io, "file store: cannot rename " << temporary << " to " << path << ": "
                                                                  << std::strerror(error));
  }
}

std::vector<uint8_t> FileStore::get(const std::string& key) {
  std::ifstream in(path_of(key), std::ios::binary);
  NEOX_CHECK(in.good(), ErrorCode::Comm,
             "store key " << key << " does not exist in the " << describe() << "; wait for it before get");
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> FileStore::wait(const std::vector<std::string>& keys, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  std::vector<std::string> missing = keys;
  for (;;) {
    std::vector<std::string> still;
    for (const auto& key : missing) {
      if (!exists(key)) still.push_back(key);
    }
    missing.swap(still);
    const auto now = std::chrono::steady_clock::now();
    if (missing.empty() || now >= deadline) return missing;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
    pause = std::min(pause * 2, std::chrono::milliseconds(50));
  }
}

int64_t FileStore::add(const std::string& key, int64_t delta) {
  FileLock lock(directory_ + "/.lock." + encode_key(key));
  const int64_t current = exists(key) ? parse_store_integer(get(key), key, describe()) : 0;
  const int64_t result = current + delta;
  set(key, format_store_integer(result));
  return result;
}

}  // namespace neox::comm
