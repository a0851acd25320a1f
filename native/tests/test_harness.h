// A minimal test harness for the native trainer (no Node, no third-party framework).
//   NEOX_TEST(name) { NEOX_EXPECT(cond) << "detail"; NEOX_EXPECT_NEAR(a, b, tol); }
// Run: neox_native_tests [substring-filter]. The last line is "N passed, M failed".
#pragma once

#include <cmath>
#include <functional>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace neox::testing {

struct TestCase {
  std::string name;
  std::function<void()> body;
};

std::vector<TestCase>& registry();
int register_test(const char* name, std::function<void()> body);

// Records one failed expectation of the running test; streams extra detail into it.
class Failure {
 public:
  Failure(const char* file, int line, const std::string& what);
  ~Failure();
  template <typename T>
  Failure& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  std::ostringstream stream_;
};

struct Sink {
  template <typename T>
  Sink& operator<<(const T&) { return *this; }
};

}  // namespace neox::testing

#define NEOX_TEST_CONCAT_(a, b) a##b
#define NEOX_TEST_CONCAT(a, b) NEOX_TEST_CONCAT_(a, b)
#define NEOX_TEST(name)                                                                     \
  static void NEOX_TEST_CONCAT(neox_test_, name)();                                         \
  static const int NEOX_TEST_CONCAT(neox_test_reg_, name) =                                 \
      ::neox::testing::register_test(#name, NEOX_TEST_CONCAT(neox_test_, name));            \
  static void NEOX_TEST_CONCAT(neox_test_, name)()

#define NEOX_EXPECT(cond) \
  if (cond) ::neox::testing::Sink(); else ::neox::testing::Failure(__FILE__, __LINE__, "expected " #cond)

#define NEOX_EXPECT_NEAR(a, b, tol)                                                        \
  if (std::fabs(static_cast<double>(a) - static_cast<double>(b)) <= (tol)) ::neox::testing::Sink(); \
  else ::neox::testing::Failure(__FILE__, __LINE__, "expected " #a " ≈ " #b)             \
      << " (" << (a) << " vs " << (b) << ", tolerance " << (tol) << ")"

// Expects `statement` to throw neox::Error whose message contains `fragment`.
#define NEOX_EXPECT_THROWS(statement, fragment)                                            \
  do {                                                                                     \
    bool neox_threw_ = false;                                                              \
    try { statement; } catch (const std::exception& neox_e_) {                             \
      neox_threw_ = true;                                                                  \
      NEOX_EXPECT(std::string(neox_e_.what()).find(fragment) != std::string::npos)         \
          << "message was: " << neox_e_.what();                                            \
    }                                                                                      \
    NEOX_EXPECT(neox_threw_) << "no exception from: " #statement;                          \
  } while (0)
