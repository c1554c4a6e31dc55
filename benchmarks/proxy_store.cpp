// proxy_store: the Manager pattern. store=proxy: worker 0 is a server process that owns a hash map
// and answers get/set requests from the other workers over Unix stream sockets, one connection per
// client, multiplexed with poll (a multiprocessing.Manager dict). store=shared: the clients do the
// same operations directly on a table in shared memory guarded by one process-shared mutex (a
// Value/Array with a Lock); worker 0 then has nothing to do. Each client sets and reads back keys
// of its own, so every get is checked against the value that client last set.
#include <fmt/core.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>

#include <algorithm>
#include <unordered_map>

#include "channels/fd_channel.hpp"
#include "clock.hpp"
#include "stats.hpp"
#include "sys_error.hpp"
#include "workload.hpp"

namespace parbench {
namespace {

enum class Op : std::uint32_t { Get = 1, Set = 2, Exit = 3 };
struct Request {
  Op op;
  std::uint32_t pad;
  std::uint64_t key;
  std::uint64_t value;
};
struct Reply {
  std::uint64_t value;
};

struct SharedTable {
  pthread_mutex_t mutex;
};

std::span<const std::byte> bytes_of(const auto& v) { return std::as_bytes(std::span(&v, 1)); }
std::span<std::byte> bytes_of(auto& v) { return std::as_writable_bytes(std::span(&v, 1)); }

class ProxyStoreExperiment final : public Experiment {
 public:
  explicit ProxyStoreExperiment(const PrepareInfo& info)
      : proxy_(info.params.get("store") == "proxy"),
        keys_(info.params.get_int("keys")),
        ops_(info.params.get_int("ops")),
        set_pct_(info.params.get_int("set_pct")),
        latency_ns_(
            info.arena.make<std::int64_t>(static_cast<std::size_t>(ops_ * info.max_workers))),
        table_(info.arena.make_one<SharedTable>()),
        values_(info.arena.make<std::uint64_t>(static_cast<std::size_t>(keys_))) {
    pthread_mutexattr_t ma;
    pthread_mutexattr_init(&ma);
    pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
    if (const int rc = pthread_mutex_init(&table_.mutex, &ma); rc != 0)
      throw_sys("pthread_mutex_init", rc);
    pthread_mutexattr_destroy(&ma);
  }

  void before_rep(const RepInfo& rep) override {
    if (rep.workers < 2)
      throw Unsupported(
          "proxy_store needs at least 2 workers: worker 0 serves, the others are clients");
    if (keys_ < rep.workers - 1)
      throw std::invalid_argument("proxy_store: fewer keys than clients");
    std::fill(values_.begin(), values_.end(), 0);
    server_ends_.clear();
    client_ends_.clear();
    if (!proxy_) return;
    for (int c = 1; c < rep.workers; ++c) {  // a fresh connection per client per repetition
      int sv[2];
      check_sys(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "socketpair");
      server_ends_.emplace_back(sv[0]);
      client_ends_.emplace_back(sv[1]);
    }
  }

  void work(const WorkerContext& ctx) override {
    if (ctx.index == 0) {
      if (proxy_) serve();
      return;
    }
    client(ctx);
  }

  Metrics after_rep(const RepInfo& rep, const RunResult& run) override {
    const auto clients = static_cast<std::size_t>(rep.workers - 1);
    std::vector<double> v(latency_ns_.begin(),
                          latency_ns_.begin() + static_cast<std::ptrdiff_t>(clients * ops_));
    std::sort(v.begin(), v.end());
    return {
        {"ops_per_s", static_cast<double>(v.size()) / (static_cast<double>(run.wall_ns) * 1e-9)},
        {"op_p50_ns", quantile_sorted(v, 0.5)},
        {"op_p99_ns", quantile_sorted(v, 0.99)},
        {"op_max_ns", v.back()}};
  }

  [[nodiscard]] double work_units(const RepInfo& rep) const override {
    return static_cast<double>(ops_ * (rep.workers - 1));
  }

 private:
  void serve() {
    std::unordered_map<std::uint64_t, std::uint64_t> store;
    std::vector<pollfd> fds;
    for (const auto& fd : server_ends_) fds.push_back({fd.get(), POLLIN, 0});
    std::size_t open = fds.size();
    while (open > 0) {
      if (poll(fds.data(), fds.size(), -1) < 0) {
        if (errno == EINTR) continue;
        throw_sys("poll");
      }
      for (auto& p : fds) {
        if (p.fd < 0 || (p.revents & (POLLIN | POLLHUP)) == 0) continue;
        Request req{};
        read_exact(p.fd, bytes_of(req));
        Reply reply{0};
        if (req.op == Op::Exit) {
          p.fd = -1;  // poll ignores negative descriptors
          --open;
          continue;
        }
        if (req.op == Op::Set) {
          store[req.key] = req.value;
        } else {
          const auto it = store.find(req.key);
          reply.value = it == store.end() ? 0 : it->second;
        }
        write_all(p.fd, bytes_of(reply));
      }
    }
  }

  std::uint64_t call(int fd, Op op, std::uint64_t key, std::uint64_t value) {
    if (proxy_) {
      const Request req{op, 0, key, value};
      write_all(fd, bytes_of(req));
      if (op == Op::Exit) return 0;
      Reply reply{};
      read_exact(fd, bytes_of(reply));
      return reply.value;
    }
    if (op == Op::Exit) return 0;
    pthread_mutex_lock(&table_.mutex);
    std::uint64_t& slot = values_[static_cast<std::size_t>(key)];
    const std::uint64_t out = op == Op::Set ? (slot = value) : slot;
    pthread_mutex_unlock(&table_.mutex);
    return out;
  }

  void client(const WorkerContext& ctx) {
    const auto clients = static_cast<std::uint64_t>(ctx.workers - 1);
    const auto me = static_cast<std::uint64_t>(ctx.index - 1);
    const int fd = proxy_ ? client_ends_[me].get() : -1;
    // This client's keys are me, me + clients, ...: nobody else writes them, so the value read
    // back must be the one this client set last (0 before the first set).
    const std::uint64_t own = (static_cast<std::uint64_t>(keys_) - me + clients - 1) / clients;
    std::vector<std::uint64_t> expected(own, 0);
    std::int64_t* lat = latency_ns_.data() + static_cast<std::ptrdiff_t>(me) * ops_;
    std::uint64_t rng = 0x9e3779b97f4a7c15ULL * (me + 1);
    for (std::int64_t i = 0; i < ops_; ++i) {
      rng ^= rng << 13;
      rng ^= rng >> 7;
      rng ^= rng << 17;
      const std::uint64_t slot = rng % own;
      const std::uint64_t key = me + slot * clients;
      const bool set = static_cast<std::int64_t>((rng >> 32) % 100) < set_pct_;
      const std::uint64_t value = (me + 1) << 40 | static_cast<std::uint64_t>(i + 1);
      const std::int64_t t0 = now_ns();
      const std::uint64_t got = call(fd, set ? Op::Set : Op::Get, key, value);
      lat[i] = now_ns() - t0;
      if (set) {
        expected[slot] = value;
      } else if (got != expected[slot]) {
        throw VerificationError(
            fmt::format("proxy_store: client {} read {} from key {}, but last set {}", me, got, key,
                        expected[slot]));
      }
    }
    call(fd, Op::Exit, 0, 0);
  }

  bool proxy_;
  std::int64_t keys_, ops_, set_pct_;
  std::span<std::int64_t> latency_ns_;
  SharedTable& table_;
  std::span<std::uint64_t> values_;
  std::vector<UniqueFd> server_ends_, client_ends_;
};

class ProxyStore final : public Workload {
 public:
  [[nodiscard]] std::string_view name() const override { return "proxy_store"; }
  [[nodiscard]] std::string_view summary() const override {
    return "Manager pattern: get/set through a server process over Unix sockets vs a locked table "
           "in shared memory";
  }
  [[nodiscard]] std::string_view work_unit() const override { return "operations"; }
  [[nodiscard]] std::vector<ParamSpec> params() const override {
    return {
        ParamSpec::choice(
            "store",
            "proxy: a server process owns the map; shared: a locked table in shared memory",
            {"proxy", "shared"}, {"proxy", "shared"}),
        ParamSpec::integer("keys", "keys in the store, split among the clients", {"1024"}, 1,
                           1 << 24),
        ParamSpec::integer("ops", "operations per client per repetition", {"20000"}, 1, 10'000'000),
        ParamSpec::integer("set_pct", "percentage of operations that are sets (the rest are gets)",
                           {"50"}, 0, 100)};
  }
  [[nodiscard]] std::vector<MetricSpec> metrics() const override {
    using B = MetricSpec::Better;
    return {{"ops_per_s", "operations completed per second, all clients", B::Higher},
            {"op_p50_ns", "median time of one operation", B::Lower},
            {"op_p99_ns", "99th percentile time of one operation", B::Lower},
            {"op_max_ns", "slowest operation of the repetition", B::Lower}};
  }
  [[nodiscard]] std::vector<int> default_workers(int /*cpus*/) const override { return {2, 3}; }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {{"ops", "500"}, {"keys", "64"}};
  }
  [[nodiscard]] std::unique_ptr<Experiment> prepare(const PrepareInfo& info) const override {
    return std::make_unique<ProxyStoreExperiment>(info);
  }
};

}  // namespace

std::unique_ptr<Workload> make_proxy_store() { return std::make_unique<ProxyStore>(); }

}  // namespace parbench
