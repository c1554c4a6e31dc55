// ipc_pingpong: round trips of one message between two workers over a channel. Worker 1 verifies
// each message and sends it back; worker 0 verifies the reply. A repetition is two passes of
// `count` round trips each:
//   1. worker 0 times every round trip: the latency percentiles (rtt_p50_ns ...);
//   2. worker 0 times only the whole loop: latency_us, the half round trip as osu_latency reports
//      it, the loop's time / (2 x round trips). No clock is read inside it, so the two clock reads
//      of pass 1 (tens of ns on a VM, a sixth of a small MPI message's round trip) are not in it.
// Both passes verify every message; the sequence numbers run on from pass 1 into pass 2.
#include <algorithm>

#include "channels/message.hpp"
#include "clock.hpp"
#include "ipc_common.hpp"
#include "stats.hpp"

namespace parbench {
namespace {

class PingpongExperiment final : public Experiment {
 public:
  explicit PingpongExperiment(const PrepareInfo& info)
      : channel_("ipc_pingpong", info.params),
        // ~8 MiB moved per repetition, at least 20 and at most 1000 round trips
        count_(channel_.count_or(8 << 20, 20, 1000)),
        // One slot per round trip of pass 1, and pass 2's loop time after them.
        rtt_ns_(info.arena.make<std::int64_t>(static_cast<std::size_t>(count_) + 1)) {}

  void before_rep(const RepInfo& rep) override { channel_.renew(rep); }
  void before_gate(const WorkerContext& /*ctx*/) override { channel_.prefault(); }

  void work(const WorkerContext& ctx) override {
    Channel& ch = channel_.get();
    std::vector<std::byte> buf(channel_.size());
    for (std::int64_t i = 0; i < count_; ++i) {
      const auto seq = static_cast<std::uint32_t>(i);
      if (ctx.index == 0) {
        stamp_message(buf, seq);
        const std::int64_t t0 = now_ns();
        ch.send(0, buf);
        ch.recv(0, buf);
        rtt_ns_[static_cast<std::size_t>(i)] = now_ns() - t0;
        verify_message(buf, seq);
      } else {
        echo(ch, buf, seq);
      }
    }
    const std::int64_t loop_start = now_ns();
    for (std::int64_t i = count_; i < 2 * count_; ++i) {
      const auto seq = static_cast<std::uint32_t>(i);
      if (ctx.index == 0) {
        stamp_message(buf, seq);
        ch.send(0, buf);
        ch.recv(0, buf);
        verify_message(buf, seq);
      } else {
        echo(ch, buf, seq);
      }
    }
    if (ctx.index == 0) rtt_ns_[static_cast<std::size_t>(count_)] = now_ns() - loop_start;
  }

  static void echo(Channel& ch, std::span<std::byte> buf, std::uint32_t seq) {
    ch.recv(1, buf);
    verify_message(buf, seq);
    ch.send(1, buf);
  }

  Metrics after_rep(const RepInfo& /*rep*/, const RunResult& /*run*/) override {
    std::vector<double> v(rtt_ns_.begin(), rtt_ns_.end() - 1);
    std::sort(v.begin(), v.end());
    const auto loop_ns = static_cast<double>(rtt_ns_.back());
    return {{"rtt_p50_ns", quantile_sorted(v, 0.50)},
            {"rtt_p90_ns", quantile_sorted(v, 0.90)},
            {"rtt_p99_ns", quantile_sorted(v, 0.99)},
            {"rtt_p999_ns", quantile_sorted(v, 0.999)},
            {"rtt_max_ns", v.back()},
            {"latency_us", loop_ns / (2.0 * static_cast<double>(count_)) / 1000}};
  }

  [[nodiscard]] double work_units(const RepInfo& /*rep*/) const override {
    return 2 * static_cast<double>(count_);  // both passes
  }

  // Worker 0 times every round trip; worker 1 writes nothing to share.
  [[nodiscard]] std::span<std::byte> worker_output(int index) override {
    if (index != 0) return {};
    return std::as_writable_bytes(rtt_ns_);
  }

 private:
  IpcChannel channel_;
  std::int64_t count_;
  std::span<std::int64_t> rtt_ns_;
};

class IpcPingpong final : public IpcWorkload {
 public:
  [[nodiscard]] std::string_view name() const override { return "ipc_pingpong"; }
  [[nodiscard]] ReportRole report_role() const override {
    return {"round_trip", "round_trip", std::nullopt, ""};
  }
  [[nodiscard]] std::string_view summary() const override {
    return "round-trip latency of one message between two workers, per channel, size and placement";
  }
  [[nodiscard]] std::string_view work_unit() const override { return "round trips"; }
  [[nodiscard]] bool runs_on_mpi() const override { return true; }
  [[nodiscard]] std::vector<ParamSpec> params() const override {
    return ipc_params({"same_core", "cross_core"},
                      "round trips per pass, two passes per repetition (0: ~8 MiB worth, 20 to "
                      "1000)");
  }
  [[nodiscard]] std::vector<MetricSpec> metrics() const override {
    using B = MetricSpec::Better;
    return {{"rtt_p50_ns", "median round-trip time", B::Lower},
            {"rtt_p90_ns", "90th percentile round-trip time", B::Lower},
            {"rtt_p99_ns", "99th percentile round-trip time", B::Lower},
            {"rtt_p999_ns", "99.9th percentile round-trip time", B::Lower},
            {"rtt_max_ns", "slowest round trip of the repetition", B::Lower},
            {"latency_us",
             "half round trip, as osu_latency reports it: a pass's time / (2 x round trips), "
             "no clock read inside the pass",
             B::Lower}};
  }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {{"size", "8,8Ki"}, {"count", "50"}};
  }
  [[nodiscard]] std::unique_ptr<Experiment> prepare(const PrepareInfo& info) const override {
    return std::make_unique<PingpongExperiment>(info);
  }
};

}  // namespace

std::unique_ptr<Workload> make_ipc_pingpong() { return std::make_unique<IpcPingpong>(); }

}  // namespace parbench
