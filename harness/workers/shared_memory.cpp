#include "shared_memory.hpp"

#include <sys/mman.h>

#include <utility>

#include "prefault.hpp"
#include "sys_error.hpp"

namespace parbench {

SharedRegion::SharedRegion(std::size_t bytes) : size_(bytes == 0 ? 1 : bytes) {
  data_ = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (data_ == MAP_FAILED) {
    data_ = nullptr;
    throw_sys("mmap(shared, " + std::to_string(size_) + " bytes)");
  }
}

SharedRegion::~SharedRegion() {
  if (data_ != nullptr) munmap(data_, size_);
}

SharedRegion::SharedRegion(SharedRegion&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SharedRegion& SharedRegion::operator=(SharedRegion&& other) noexcept {
  if (this != &other) {
    if (data_ != nullptr) munmap(data_, size_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void SharedArena::prefault() const {
  for (const auto& r : regions_) parbench::prefault(r.data(), r.size(), true);
}

}  // namespace parbench
