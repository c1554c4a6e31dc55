#pragma once
// A registry of named kinds (workloads, channels, locks, backends, report, comparison and export
// formats): built once, in order, from their make_ functions, and looked up by name. Adding a kind
// is its file (or function) plus one line in its list; everything that iterates the registry
// (tests, sweeps, `parbench list`, --help, the error for an unknown name) sees it.
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

  // The names for an error or --help: "json, gbench or github-action-benchmark".
  [[nodiscard]] std::string choices() const {
    std::string out;
    for (std::size_t i = 0; i < items_.size(); ++i) {
      if (i > 0) out += i + 1 == items_.size() ? " or " : ", ";
      out += items_[i]->name();
    }
    return out;
  }

 private:
  std::vector<std::unique_ptr<T>> items_;
};

// A kind that is one function (a comparison's or an export's format): its name and the function,
// registered as NamedRegistry<NamedFunction<...>> with a maker each.
template <class Signature>
class NamedFunction;

template <class Result, class... Args>
class NamedFunction<Result(Args...)> {
 public:
  using Function = Result (*)(Args...);
  NamedFunction(std::string_view name, Function function) : name_(name), function_(function) {}

  [[nodiscard]] std::string_view name() const { return name_; }
  Result operator()(Args... args) const { return function_(args...); }

 private:
  std::string_view name_;
  Function function_;
};

}  // namespace parbench
