#include "core/errors.h"

#include <cstring>

namespace neox {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::InvalidArgument: return "NEOX_INVALID_ARGUMENT";
    case ErrorCode::NonFinite: return "NEOX_NON_FINITE";
    case ErrorCode::Io: return "NEOX_IO";
    case ErrorCode::Comm: return "NEOX_COMM";
    case ErrorCode::Internal: return "NEOX_INTERNAL";
  }
  return "NEOX_INTERNAL";
}

namespace detail {

[[noreturn]] void throw_error(ErrorCode code, const char* file, int line, const std::string& message) {
  if (code == ErrorCode::Internal) {
    const char* base = std::strrchr(file, '/');
    std::ostringstream out;
    out << message << " (" << (base ? base + 1 : file) << ":" << line << "; please report this)";
    throw Error(code, out.str());
  }
  throw Error(code, message);
}

}  // namespace detail
}  // namespace neox
