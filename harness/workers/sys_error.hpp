#pragma once
// One way to report a failed system call: std::system_error naming the call, so every message reads
// "pidfd_open: Operation not permitted" rather than a bare errno.
#include <cerrno>
#include <string>
#include <system_error>

namespace parbench {

[[noreturn]] inline void throw_sys(const std::string& call, int err = errno) {
  throw std::system_error(err, std::generic_category(), call);
}

// Returns rc unchanged, or throws naming `call` when rc is negative (errno set by the call).
template <class T>
T check_sys(T rc, const char* call) {
  if (rc < 0) throw_sys(call);
  return rc;
}

// For calls that return an error number instead of setting errno (the pthread_* family).
inline void check_errno(int rc, const char* call) {
  if (rc != 0) throw_sys(call, rc);
}

}  // namespace parbench
