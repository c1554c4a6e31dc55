#include "pool.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <stdexcept>

#include "named_registry.hpp"
#include "pool_kinds.hpp"

namespace parbench {

namespace pool_detail {

std::string run_task(const Task& t, std::int64_t& value) {
  try {
    value = t.fn(std::span<const std::int64_t>(t.args.data(), static_cast<std::size_t>(t.nargs)));
    return {};
  } catch (const std::exception& e) {
    return e.what()[0] != '\0' ? e.what() : "an exception without a message";
  } catch (...) {
    return "an exception that is not a std::exception";
  }
}

}  // namespace pool_detail

namespace {

using PoolMaker = NamedFunction<std::unique_ptr<Pool>(int workers)>;

const NamedRegistry<PoolMaker>& pool_registry() {
  static const NamedRegistry<PoolMaker> pools{
      +[] { return std::make_unique<PoolMaker>("thread", &pool_detail::make_thread_pool); },
      +[] {
        return std::make_unique<PoolMaker>(
            "process", [](int workers) { return pool_detail::make_process_pool(workers, false); });
      },
      +[] {
        return std::make_unique<PoolMaker>("fresh_process", [](int workers) {
          return pool_detail::make_process_pool(workers, true);
        });
      }};
  return pools;
}

}  // namespace

const std::vector<std::string>& pool_kinds() {
  static const std::vector<std::string> names = pool_registry().names();
  return names;
}

std::unique_ptr<Pool> Pool::make(std::string_view kind, int workers) {
  const PoolMaker* maker = pool_registry().find(kind);
  if (maker == nullptr) {
    throw std::invalid_argument(
        fmt::format("unknown pool '{}'; expected {}", kind, pool_registry().choices()));
  }
  if (workers < 1 || workers > 1024) {
    throw std::invalid_argument(fmt::format("a pool of {} workers; expected 1 to 1024", workers));
  }
  return (*maker)(workers);
}

void Pool::submit(std::vector<Task> tasks,
                  std::vector<std::pair<ResultCallback, ErrorCallback>> cbs, int chunksize) {
  for (const auto& t : tasks) {
    if (t.fn == nullptr) throw std::invalid_argument("a pool task without a function");
    if (t.nargs < 0 || t.nargs > kMaxTaskArgs) {
      throw std::invalid_argument(
          fmt::format("a pool task with {} arguments; at most {}", t.nargs, kMaxTaskArgs));
    }
  }
  const std::size_t n = tasks.size();
  if (chunksize <= 0) {  // Python's Pool.map default
    const auto four_per_worker = 4 * static_cast<std::size_t>(workers_);
    chunksize =
        static_cast<int>(std::max<std::size_t>(1, (n + four_per_worker - 1) / four_per_worker));
  }
  const std::size_t step =
      std::min<std::size_t>(static_cast<std::size_t>(chunksize), pool_detail::kSlotTasks);
  for (std::size_t at = 0; at < n; at += step) {
    Chunk c;
    for (std::size_t i = at; i < std::min(n, at + step); ++i) {
      const std::uint64_t id = next_id_++;
      c.tasks.push_back(tasks[i]);
      c.ids.push_back(id);
      callbacks_.emplace(id, std::move(cbs[i]));
    }
    queued_.push_back(std::move(c));
  }
}

void Pool::apply_async(const Task& task, ResultCallback on_result, ErrorCallback on_error) {
  std::vector<std::pair<ResultCallback, ErrorCallback>> cbs;
  cbs.emplace_back(std::move(on_result), std::move(on_error));
  submit({task}, std::move(cbs), 1);
}

void Pool::join() {
  std::vector<Outcome> out;
  while (!callbacks_.empty()) {
    dispatch(queued_);
    out.clear();
    collect(out, queued_);
    for (auto& o : out) {
      const auto it = callbacks_.find(o.id);
      if (it == callbacks_.end()) continue;
      const auto cb = std::move(it->second);
      callbacks_.erase(it);
      if (o.ok) {
        if (cb.first) cb.first(o.value);
      } else if (cb.second) {
        cb.second(o.error);
      }
    }
  }
}

std::vector<std::int64_t> Pool::run_all(std::vector<Task> tasks, int chunksize) {
  const std::size_t n = tasks.size();
  std::vector<std::int64_t> results(n);
  std::size_t first_failed = n;
  std::string why;
  std::vector<std::pair<ResultCallback, ErrorCallback>> cbs;
  cbs.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    cbs.emplace_back([&results, i](std::int64_t v) { results[i] = v; },
                     [&first_failed, &why, i](const std::string& e) {
                       if (i < first_failed) {
                         first_failed = i;
                         why = e;
                       }
                     });
  }
  submit(std::move(tasks), std::move(cbs), chunksize);
  join();
  if (first_failed < n) {
    throw TaskError(fmt::format("task {} of {} failed: {}", first_failed, n, why));
  }
  return results;
}

std::vector<std::int64_t> Pool::map(TaskFn fn, std::span<const std::int64_t> inputs,
                                    int chunksize) {
  std::vector<Task> tasks(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    tasks[i].fn = fn;
    tasks[i].args[0] = inputs[i];
    tasks[i].nargs = 1;
  }
  return run_all(std::move(tasks), chunksize);
}

std::vector<std::int64_t> Pool::starmap(TaskFn fn, std::span<const std::vector<std::int64_t>> args,
                                        int chunksize) {
  std::vector<Task> tasks(args.size());
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i].size() > static_cast<std::size_t>(kMaxTaskArgs)) {
      throw std::invalid_argument(fmt::format(
          "starmap: argument tuple {} has {} values; at most {}", i, args[i].size(), kMaxTaskArgs));
    }
    tasks[i].fn = fn;
    std::copy(args[i].begin(), args[i].end(), tasks[i].args.begin());
    tasks[i].nargs = static_cast<int>(args[i].size());
  }
  return run_all(std::move(tasks), chunksize);
}

}  // namespace parbench
