#include "model/op_profile.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace neox::model {

namespace {

struct Entry {
  std::string op;
  double seconds = 0;
  long calls = 0;
};

std::vector<Entry>& entries() {
  static std::vector<Entry> table;
  return table;
}

}  // namespace

bool OpProfile::enabled() {
  static const bool on = [] {
    const char* value = std::getenv("NEOX_PROFILE_OPS");
    return value != nullptr && std::strcmp(value, "1") == 0;
  }();
  return on;
}

void OpProfile::add(const char* op, double seconds) {
  for (Entry& e : entries()) {
    if (e.op == op) {
      e.seconds += seconds;
      ++e.calls;
      return;
    }
  }
  entries().push_back({op, seconds, 1});
}

std::vector<std::pair<std::string, std::pair<double, long>>> OpProfile::snapshot() {
  std::vector<std::pair<std::string, std::pair<double, long>>> out;
  for (const Entry& e : entries()) out.push_back({e.op, {e.seconds, e.calls}});
  return out;
}

void OpProfile::reset() { entries().clear(); }

std::string OpProfile::report() {
  double total = 0;
  for (const Entry& e : entries()) total += e.seconds;
  std::string out;
  char line[160];
  for (const Entry& e : entries()) {
    std::snprintf(line, sizeof(line), "  %-28s %9.1f ms %6ld calls %5.1f%%\n", e.op.c_str(), e.seconds * 1e3, e.calls,
                  total > 0 ? 100 * e.seconds / total : 0.0);
    out += line;
  }
  return out;
}

}  // namespace neox::model
