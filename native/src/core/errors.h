// Errors thrown by the native trainer. Every error carries a stable code (the JS side maps it to
// a typed error class, see native/ts/errors.ts) and a message that names the thing, the value and
// the fix. Nothing in native/ calls exit() or abort(): the actor must be able to report failures.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace neox {

enum class ErrorCode {
  InvalidArgument,  // bad input from the caller: shapes, names, dtypes, token ids, options
  NonFinite,        // a NaN or Inf in a loss, gradient or tensor
  Io,               // file system
  Comm,             // collectives: timeouts, dead peers
  Internal,         // a bug in neox
};

const char* error_code_name(ErrorCode code);

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

namespace detail {
[[noreturn]] void throw_error(ErrorCode code, const char* file, int line, const std::string& message);
}  // namespace detail

}  // namespace neox

// NEOX_CHECK(cond, ErrorCode::InvalidArgument, "tokens has " << n << " rows; expected " << b);
// The message is built only when the check fails; file:line is appended for bug reports.
#define NEOX_CHECK(cond, code, stream_expr)                                          \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::ostringstream neox_check_stream_;                                         \
      neox_check_stream_ << stream_expr;                                             \
      ::neox::detail::throw_error((code), __FILE__, __LINE__, neox_check_stream_.str()); \
    }                                                                                \
  } while (0)

#define NEOX_CHECK_ARG(cond, stream_expr) NEOX_CHECK(cond, ::neox::ErrorCode::InvalidArgument, stream_expr)
#define NEOX_ASSERT(cond) NEOX_CHECK(cond, ::neox::ErrorCode::Internal, "internal check failed: " #cond)
