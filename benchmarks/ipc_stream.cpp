// ipc_stream: one-way transfer of `count` messages of `size` bytes from worker 0 to worker 1, who
// verifies every message (sequence and check words). Throughput in MB/s and messages/s.
#include "channels/message.hpp"
#include "ipc_common.hpp"

namespace parbench {
namespace {

class StreamExperiment final : public Experiment {
 public:
  explicit StreamExperiment(const PrepareInfo& info)
      : channel_("ipc_stream", info.params),
        // ~64 MiB per repetition, at least 200 and at most 50000 messages
        count_(channel_.count_or(64 << 20, 200, 50'000)) {}

  void before_rep(const RepInfo& rep) override { channel_.renew(rep); }
  void before_gate(const WorkerContext& /*ctx*/) override { channel_.prefault(); }

  void work(const WorkerContext& ctx) override {
    Channel& ch = channel_.get();
    std::vector<std::byte> buf(channel_.size());
    for (std::int64_t i = 0; i < count_; ++i) {
      const auto seq = static_cast<std::uint32_t>(i);
      if (ctx.index == 0) {
        stamp_message(buf, seq);
        ch.send(0, buf);
      } else {
        ch.recv(1, buf);
        verify_message(buf, seq);
      }
    }
  }

  Metrics after_rep(const RepInfo& /*rep*/, const RunResult& run) override {
    const double seconds = static_cast<double>(run.wall_ns) * 1e-9;
    const auto messages = static_cast<double>(count_);
    return {{"mb_per_s", messages * static_cast<double>(channel_.size()) / seconds / 1e6},
            {"msgs_per_s", messages / seconds}};
  }

  [[nodiscard]] double work_units(const RepInfo& /*rep*/) const override {
    return static_cast<double>(count_);
  }

 private:
  IpcChannel channel_;
  std::int64_t count_;
};

class IpcStream final : public IpcWorkload {
 public:
  [[nodiscard]] std::string_view name() const override { return "ipc_stream"; }
  [[nodiscard]] std::string_view summary() const override {
    return "one-way throughput of a stream of messages between two workers, per channel and size";
  }
  [[nodiscard]] std::string_view work_unit() const override { return "messages"; }
  // Worker 1 verifies every message itself: nothing to carry back to rank 0.
  [[nodiscard]] bool runs_on_mpi() const override { return true; }
  [[nodiscard]] std::vector<ParamSpec> params() const override {
    return ipc_params({"cross_core"}, "messages per repetition (0: ~64 MiB worth, 200 to 50000)");
  }
  [[nodiscard]] std::vector<MetricSpec> metrics() const override {
    using B = MetricSpec::Better;
    return {{"mb_per_s", "payload moved per second, in 1e6 bytes", B::Higher},
            {"msgs_per_s", "messages delivered per second", B::Higher}};
  }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {{"size", "8,8Ki"}, {"count", "200"}};
  }
  [[nodiscard]] std::unique_ptr<Experiment> prepare(const PrepareInfo& info) const override {
    return std::make_unique<StreamExperiment>(info);
  }
};

}  // namespace

std::unique_ptr<Workload> make_ipc_stream() { return std::make_unique<IpcStream>(); }

}  // namespace parbench
