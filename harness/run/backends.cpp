// The backend registry: adding a backend is one file plus one line here.
#include <memory>
#include <vector>

#include "backend.hpp"
#include "plan.hpp"

namespace parbench {

std::unique_ptr<Backend> make_thread_backend();
std::unique_ptr<Backend> make_process_backend();
std::unique_ptr<Backend> make_py_thread_backend();
std::unique_ptr<Backend> make_py_process_backend();
std::unique_ptr<Backend> make_mpi_backend();

const std::vector<std::unique_ptr<Backend>>& all_backends() {
  static const auto backends = [] {
    std::vector<std::unique_ptr<Backend>> v;
    v.push_back(make_thread_backend());
    v.push_back(make_process_backend());
    v.push_back(make_py_thread_backend());
    v.push_back(make_py_process_backend());
    v.push_back(make_mpi_backend());
    return v;
  }();
  return backends;
}

std::vector<const Backend*> default_backends() {
  std::vector<const Backend*> out;
  for (const auto& b : all_backends()) {
    if (b->runs_by_default()) out.push_back(b.get());
  }
  return out;
}

const Backend* find_backend(std::string_view name) {
  for (const auto& b : all_backends()) {
    if (b->name() == name) return b.get();
  }
  return nullptr;
}

const CaseGroup& RepContext::case_group() const {
  return plan.groups[static_cast<std::size_t>(group)];
}

const Case& RepContext::the_case() const {
  return case_group().cases[static_cast<std::size_t>(case_index)];
}

RepInfo RepContext::info() const {
  const Case& c = the_case();
  return RepInfo{c.workers, c.backend->name(), c.backend->traits()};
}

}  // namespace parbench
