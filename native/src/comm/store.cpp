#include "comm/store.h"

#include <cerrno>
#include <cstdlib>
#include <string>

#include "core/errors.h"

namespace neox::comm {

int64_t parse_store_integer(const std::vector<uint8_t>& value, const std::string& key, const std::string& store) {
  const std::string text(value.begin(), value.end());
  char* end = nullptr;
  errno = 0;
  const long long parsed = std::strtoll(text.c_str(), &end, 10);
  NEOX_CHECK_ARG(!text.empty() && end == text.c_str() + text.size() && errno == 0,
                 "store key " << key << " in " << store << " holds \"" << text.substr(0, 32)
                              << "\", not a decimal integer; add() only works on keys written by add()");
  return parsed;
}

std::vector<uint8_t> format_store_integer(int64_t value) {
  const std::string text = std::to_string(value);
  return std::vector<uint8_t>(text.begin(), text.end());
}

}  // namespace neox::comm
