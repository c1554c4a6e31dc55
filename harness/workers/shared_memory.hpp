#pragma once
// Memory that workers of every backend share. Each region is an anonymous MAP_SHARED mapping made
// before workers start: threads see it as ordinary memory, forked workers inherit the same pages.
// An anonymous mapping has no name, so nothing can be left behind in /dev/shm whatever happens.
#include <cstddef>
#include <memory>
#include <new>
#include <span>
#include <type_traits>
#include <vector>

namespace parbench {

inline constexpr std::size_t kCacheLine = 64;

class SharedRegion {
 public:
  explicit SharedRegion(std::size_t bytes);
  ~SharedRegion();
  SharedRegion(SharedRegion&& other) noexcept;
  SharedRegion& operator=(SharedRegion&& other) noexcept;
  SharedRegion(const SharedRegion&) = delete;
  SharedRegion& operator=(const SharedRegion&) = delete;

  [[nodiscard]] void* data() const { return data_; }
  [[nodiscard]] std::size_t size() const { return size_; }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
};

// Owns every shared region a workload asks for while a case is prepared. Objects are
// value-initialised in place; only types that need no destructor may live here, since a forked
// worker never runs one.
class SharedArena {
 public:
  template <class T>
  std::span<T> make(std::size_t count) {
    static_assert(std::is_trivially_destructible_v<T>, "shared objects are never destroyed");
    auto& region = regions_.emplace_back(count * sizeof(T));
    T* first = static_cast<T*>(region.data());
    for (std::size_t i = 0; i < count; ++i) new (first + i) T();
    return {first, count};
  }
  template <class T>
  T& make_one() {
    return make<T>(1)[0];
  }
  // Maps every region into the calling process (see prefault.hpp).
  void prefault() const;

 private:
  std::vector<SharedRegion> regions_;
};

// A value alone on its cache line, so per-worker counters never share a line (false sharing would
// make every worker's write invalidate its neighbours' and turn a scaling test into a cache test).
template <class T>
struct alignas(kCacheLine) Padded {
  T value{};
};

}  // namespace parbench
