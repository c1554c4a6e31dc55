#pragma once
// A registry of named kinds (workloads, channels, locks, backends, report formats): built once, in
// order, from their make_ functions, and looked up by name. Adding a kind is its file plus one
// line in its list; everything that iterates the registry (tests, sweeps, `parbench list`) sees
// it.
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace parbench {

template <class T>
class NamedRegistry {
 public:
  using Maker = std::unique_ptr<T> (*)();

  NamedRegistry(std::initializer_list<Maker> makers) {
    items_.reserve(makers.size());
    for (Maker make : makers) items_.push_back(make());
  }

  [[nodiscard]] const std::vector<std::unique_ptr<T>>& all() const { return items_; }

  // nullptr when none has that name.
  [[nodiscard]] const T* find(std::string_view name) const {
    for (const auto& item : items_) {
      if (item->name() == name) return item.get();
    }
    return nullptr;
  }

  [[nodiscard]] std::vector<std::string> names() const {
    std::vector<std::string> out;
    out.reserve(items_.size());
    for (const auto& item : items_) out.emplace_back(item->name());
    return out;
  }

 private:
  std::vector<std::unique_ptr<T>> items_;
};

}  // namespace parbench
