// ipc_stream: one-way transfer of `count` messages of `size` bytes from worker 0 to worker 1, who
// verifies every message (sequence and check words). Throughput in MB/s and messages/s.
// With window=W, osu_bw's method: worker 0 sends W messages as one window (on mpi all in flight at
// once: MPI_Isend x W, MPI_Waitall), worker 1 receives the window, then acknowledges it with one
// small message, and only then does the next window start. The bandwidth then counts the waits
// for acknowledgements as osu_bw does; window=0 is a plain stream without them.
#include <fmt/core.h>

#include <algorithm>

#include "channels/message.hpp"
#include "ipc_common.hpp"

namespace parbench {
namespace {

class StreamExperiment final : public Experiment {
 public:
  explicit StreamExperiment(const PrepareInfo& info)
      : channel_("ipc_stream", info.params),
        // ~64 MiB per repetition, at least 200 and at most 50000 messages
        count_(channel_.count_or(64 << 20, 200, 50'000)),
        window_(info.params.get_int("window")) {}

  void before_rep(const RepInfo& rep) override {
    if (static_cast<double>(window_) * static_cast<double>(channel_.size()) > kMaxWindowBytes) {
      throw Unsupported(
          fmt::format("ipc_stream: a window of {} messages of {} bytes is over {} MiB of buffers",
                      window_, channel_.size(), kMaxWindowBytes / (1 << 20)));
    }
    channel_.renew(rep);
  }
  // Each side's buffer (a whole window's) allocated and touched before the gate: a first touch of
  // 4 MiB inside the timed loop cost up to a tenth of a 64 KiB stream's time.
  void before_gate(const WorkerContext& ctx) override {
    channel_.prefault();
    const auto messages = static_cast<std::size_t>(std::max<std::int64_t>(window_, 1));
    buffers_.at(static_cast<std::size_t>(ctx.index))
        .assign(messages * channel_.size(), std::byte{1});
  }

  void work(const WorkerContext& ctx) override {
    if (window_ > 0) {
      windowed(ctx);
      return;
    }
    Channel& ch = channel_.get();
    const std::span<std::byte> buf(buffers_.at(static_cast<std::size_t>(ctx.index)).data(),
                                   channel_.size());
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

  // osu_bw's loop: a window of messages, then one acknowledgement back. Every message is stamped
  // and checked. The sender stamps the next window while the receiver takes this one in; the
  // receiver checks each message as it arrives (on mpi as MPI_Waitsome reports it, while later
  // ones are still coming) and acknowledges the window once all are in and checked. Measured
  // against the alternatives on mpi: checking the whole window after MPI_Waitall made 64-byte
  // windows 1.16-1.22x slower than OSU-style (this way 1.10); checking it after the
  // acknowledgement, with or without the next window's receives posted first, was slower still
  // (the next window's small messages reach MPI's unexpected-message queue).
  void windowed(const WorkerContext& ctx) {
    Channel& ch = channel_.get();
    const std::size_t size = channel_.size();
    std::vector<std::byte>& buf = buffers_.at(static_cast<std::size_t>(ctx.index));
    std::vector<std::byte> ack(ch.ack_bytes(size));
    // Window `w`'s messages in the buffer, stamped or checked.
    const auto messages = [&](std::int64_t w) {
      const std::int64_t first = w * window_;
      return std::pair{
          first,
          std::span<std::byte>(buf.data(),
                               static_cast<std::size_t>(std::min(window_, count_ - first)) * size)};
    };
    const auto each = [&](std::int64_t w, auto&& f) {
      const auto [first, msgs] = messages(w);
      for (std::size_t k = 0; k * size < msgs.size(); ++k)
        f(msgs.subspan(k * size, size),
          static_cast<std::uint32_t>(first + static_cast<std::int64_t>(k)));
    };
    const std::int64_t windows = (count_ + window_ - 1) / window_;
    if (ctx.index == 0)
      each(0, [](std::span<std::byte> m, std::uint32_t seq) { stamp_message(m, seq); });
    for (std::int64_t w = 0; w < windows; ++w) {
      const auto seq = static_cast<std::uint32_t>(w);
      if (ctx.index == 0) {
        ch.send_window(0, messages(w).second, size);
        // The window went out (sent or buffered): its buffer takes the next one.
        if (w + 1 < windows)
          each(w + 1, [](std::span<std::byte> m, std::uint32_t s) { stamp_message(m, s); });
        ch.recv(0, ack);
        verify_message(ack, seq);
      } else {
        const auto [first, msgs] = messages(w);
        ch.recv_window(1, msgs, size, [&, first = first, msgs = msgs](std::size_t k) {
          verify_message(msgs.subspan(k * size, size),
                         static_cast<std::uint32_t>(first + static_cast<std::int64_t>(k)));
        });
        stamp_message(ack, seq);
        ch.send(1, ack);
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
  static constexpr double kMaxWindowBytes = 256.0 * (1 << 20);
  IpcChannel channel_;
  std::int64_t count_;
  std::int64_t window_;
  std::vector<std::vector<std::byte>> buffers_ = std::vector<std::vector<std::byte>>(2);  // by side
};

class IpcStream final : public IpcWorkload {
 public:
  [[nodiscard]] std::string_view name() const override { return "ipc_stream"; }
  [[nodiscard]] ReportRole report_role() const override {
    return {"stream", "stream", std::nullopt, ""};
  }
  [[nodiscard]] std::string_view summary() const override {
    return "one-way throughput of a stream of messages between two workers, per channel and size";
  }
  [[nodiscard]] std::string_view work_unit() const override { return "messages"; }
  // Worker 1 verifies every message itself: nothing to carry back to rank 0.
  [[nodiscard]] bool runs_on_mpi() const override { return true; }
  [[nodiscard]] std::vector<ParamSpec> params() const override {
    auto params =
        ipc_params({"cross_core"}, "messages per repetition (0: ~64 MiB worth, 200 to 50000)");
    params.push_back(ParamSpec::integer(
        "window",
        "messages sent as one window before the receiver acknowledges it (osu_bw's method; on mpi "
        "all in flight at once); 0: a plain stream, no acknowledgements",
        {"0"}, 0, 4096));
    return params;
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
