// The backend registry: adding a backend is one file plus one line here.
#include <algorithm>
#include <memory>
#include <vector>

#include "backend.hpp"
#include "bad_input.hpp"
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

BackendSessions::BackendSessions(const std::string& backend_list) {
  if (backend_list.empty()) return;
  std::vector<std::string> names;
  try {
    names = split_list(backend_list, "--backend");
  } catch (const BadInput&) {
    return;
  }
  for (const auto& name : names) {
    const Backend* b = find_backend(name);
    if (b == nullptr) continue;
    if (auto s = b->open_session()) sessions_.push_back(std::move(s));
  }
}

bool BackendSessions::follower() const {
  return std::any_of(sessions_.begin(), sessions_.end(), [](auto& s) { return s->follower(); });
}

void BackendSessions::follow(const RunPlan& plan) const {
  for (const auto& s : sessions_) {
    if (s->follower()) s->follow(plan);
  }
}

void BackendSessions::describe(RunMeta& run) const {
  for (const auto& s : sessions_) s->describe(run);
}

void BackendSessions::on_job_end(const LastWords& write) const {
  for (const auto& s : sessions_) s->on_job_end(write);
}

void BackendSessions::end_lost_job() const {
  for (const auto& s : sessions_) s->end_lost_job();
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
