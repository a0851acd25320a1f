#include <cstring>
#include <exception>

#include "core/threads.h"
#include "test_harness.h"

namespace neox::testing {

namespace {
int g_failures_in_test = 0;
}

std::vector<TestCase>& registry() {
  static std::vector<TestCase> tests;
  return tests;
}

int register_test(const char* name, std::function<void()> body) {
  registry().push_back({name, std::move(body)});
  return 0;
}

Failure::Failure(const char* file, int line, const std::string& what) {
  const char* base = std::strrchr(file, '/');
  stream_ << "    " << (base ? base + 1 : file) << ":" << line << ": " << what;
}

Failure::~Failure() {
  ++g_failures_in_test;
  std::cout << stream_.str() << "\n";
}

}  // namespace neox::testing

int main(int argc, char** argv) {
  using namespace neox::testing;
  const char* filter = argc > 1 ? argv[1] : nullptr;
  neox::set_num_threads(0);
  int passed = 0, failed = 0;
  for (const TestCase& test : registry()) {
    if (filter && test.name.find(filter) == std::string::npos) continue;
    g_failures_in_test = 0;
    try {
      test.body();
    } catch (const std::exception& e) {
      std::cout << "    uncaught exception: " << e.what() << "\n";
      ++g_failures_in_test;
    }
    if (g_failures_in_test == 0) {
      ++passed;
      std::cout << "  ✔ native › " << test.name << "\n";
    } else {
      ++failed;
      std::cout << "  ✘ native › " << test.name << "\n";
    }
    std::cout.flush();
  }
  std::cout << "native tests: " << passed << " passed, " << failed << " failed\n";
  return failed == 0 ? 0 : 1;
}
