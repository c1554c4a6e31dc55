// The backend registry: adding a backend is one file plus one line here.
#include <memory>
#include <vector>

#include "backend.hpp"

namespace parbench {

std::unique_ptr<Backend> make_thread_backend();
std::unique_ptr<Backend> make_process_backend();

const std::vector<std::unique_ptr<Backend>>& all_backends() {
  static const auto backends = [] {
    std::vector<std::unique_ptr<Backend>> v;
    v.push_back(make_thread_backend());
    v.push_back(make_process_backend());
    return v;
  }();
  return backends;
}

const Backend* find_backend(std::string_view name) {
  for (const auto* list : {&all_backends(), &python_backends(), &mpi_backends()}) {
    for (const auto& b : *list) {
      if (b->name() == name) return b.get();
    }
  }
  return nullptr;
}

}  // namespace parbench
