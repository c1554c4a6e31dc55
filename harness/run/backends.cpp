// The backend registry: adding a backend is one file plus one line here.
#include <memory>
#include <vector>

#include "backend.hpp"
#include "named_registry.hpp"
#include "plan.hpp"

namespace parbench {

std::unique_ptr<Backend> make_thread_backend();
std::unique_ptr<Backend> make_process_backend();
std::unique_ptr<Backend> make_py_thread_backend();
std::unique_ptr<Backend> make_py_process_backend();
std::unique_ptr<Backend> make_mpi_backend();

namespace {

const NamedRegistry<Backend>& backend_registry() {
  static const NamedRegistry<Backend> backends{&make_thread_backend, &make_process_backend,
                                               &make_py_thread_backend, &make_py_process_backend,
                                               &make_mpi_backend};
  return backends;
}

}  // namespace

const std::vector<std::unique_ptr<Backend>>& all_backends() { return backend_registry().all(); }

std::vector<const Backend*> default_backends() {
  std::vector<const Backend*> out;
  for (const auto& b : all_backends()) {
    if (b->runs_by_default()) out.push_back(b.get());
  }
  return out;
}

const Backend* find_backend(std::string_view name) { return backend_registry().find(name); }

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
