// ipc_fanin: the task-queue pattern. P producers put `count` tasks into one channel that C
// consumers drain (workers = P + C); when the last producer is done it puts one sentinel per
// consumer; each consumer that takes a sentinel reports on the done queue (the reverse direction),
// and producer 0 collects the C reports. Every task is verified on receipt, each consumer checks
// that each producer's tasks reach it in order, and the tallies prove that every task arrived once.
#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <cmath>

#include "channels/message.hpp"
#include "ipc_common.hpp"
#include "stats.hpp"

namespace parbench {
namespace {

constexpr std::uint32_t kSentinel = 0xFFFFFFFF;
constexpr std::uint32_t kDone = 0xFFFFFFFE;
constexpr int kIndexBits = 24;  // sequence = producer << 24 | task index

struct alignas(kCacheLine) Tally {
  std::uint64_t tasks = 0;
  std::uint64_t digest = 0;  // sum of sequence_digest over the tasks taken
};

class FaninExperiment final : public Experiment {
 public:
  explicit FaninExperiment(const PrepareInfo& info)
      : channel_("ipc_fanin", info.params, IpcChannel::Parties::Many),
        producers_(static_cast<int>(info.params.get_int("producers"))),
        count_(channel_.count_or(32 << 20, 2000, 50'000)),
        tallies_(info.arena.make<Tally>(static_cast<std::size_t>(info.max_workers))),
        producers_done_(info.arena.make_one<std::atomic<int>>()) {}

  void before_rep(const RepInfo& rep) override {
    if (rep.workers - producers_ < 1) {
      throw Unsupported(fmt::format("ipc_fanin with {} producer(s) needs at least {} workers",
                                    producers_, producers_ + 1));
    }
    if (count_ / producers_ >= (std::int64_t{1} << kIndexBits)) {
      throw std::invalid_argument("ipc_fanin: at most 16M tasks per producer");
    }
    channel_.renew(rep);
    for (auto& t : tallies_) t = Tally{};
    producers_done_.store(0);
  }
  void before_gate(const WorkerContext& /*ctx*/) override { channel_.prefault(); }

  void work(const WorkerContext& ctx) override {
    std::vector<std::byte> buf(channel_.size());
    if (ctx.index < producers_) {
      produce(ctx, buf);
    } else {
      consume(ctx, buf);
    }
  }

  Metrics after_rep(const RepInfo& rep, const RunResult& run) override {
    std::uint64_t tasks = 0, digest = 0, expected_digest = 0;
    std::vector<double> per_consumer;
    for (int c = producers_; c < rep.workers; ++c) {
      tasks += tallies_[static_cast<std::size_t>(c)].tasks;
      digest += tallies_[static_cast<std::size_t>(c)].digest;
      per_consumer.push_back(static_cast<double>(tallies_[static_cast<std::size_t>(c)].tasks));
    }
    for (int p = 0; p < producers_; ++p) {
      for (std::int64_t i = 0; i < tasks_of(p); ++i)
        expected_digest += sequence_digest(seq_of(p, i));
    }
    if (tasks != static_cast<std::uint64_t>(count_) || digest != expected_digest) {
      throw VerificationError(fmt::format(
          "ipc_fanin: consumers took {} tasks of {}, or not each exactly once", tasks, count_));
    }
    double sum = 0;
    for (double v : per_consumer) sum += v;
    const double seconds = static_cast<double>(run.wall_ns) * 1e-9;
    const auto n = static_cast<double>(per_consumer.size());
    return {{"msgs_per_s", static_cast<double>(count_) / seconds},
            {"mb_per_s",
             static_cast<double>(count_) * static_cast<double>(channel_.size()) / seconds / 1e6},
            // Jain's index: 1 when every consumer took the same share, 1/C when one took all.
            {"jain", jain_index(per_consumer)},
            {"min_share", *std::min_element(per_consumer.begin(), per_consumer.end()) / (sum / n)}};
  }

  [[nodiscard]] double work_units(const RepInfo& /*rep*/) const override {
    return static_cast<double>(count_);
  }

 private:
  [[nodiscard]] std::int64_t tasks_of(int p) const {
    return count_ / producers_ + (p < count_ % producers_ ? 1 : 0);
  }
  static std::uint32_t seq_of(int p, std::int64_t i) {
    return (static_cast<std::uint32_t>(p) << kIndexBits) | static_cast<std::uint32_t>(i);
  }

  void produce(const WorkerContext& ctx, std::vector<std::byte>& buf) {
    Channel& ch = channel_.get();
    for (std::int64_t i = 0; i < tasks_of(ctx.index); ++i) {
      stamp_message(buf, seq_of(ctx.index, i));
      ch.send(0, buf);
    }
    // The last producer to finish shuts the consumers down; tasks are all queued ahead of the
    // sentinels, since the channel is FIFO.
    const int consumers = ctx.workers - producers_;
    if (producers_done_.fetch_add(1) + 1 == producers_) {
      stamp_message(buf, kSentinel);
      for (int c = 0; c < consumers; ++c) ch.send(0, buf);
    }
    if (ctx.index == 0) {
      for (int c = 0; c < consumers; ++c) {
        ch.recv(0, buf);
        verify_message(buf, kDone);
      }
    }
  }

  void consume(const WorkerContext& ctx, std::vector<std::byte>& buf) {
    Channel& ch = channel_.get();
    Tally& mine = tallies_[static_cast<std::size_t>(ctx.index)];
    std::vector<std::int64_t> last(static_cast<std::size_t>(producers_), -1);
    for (;;) {
      ch.recv(1, buf);
      const std::uint32_t seq = message_sequence(buf);
      verify_message(buf, seq);  // whole and undamaged, whatever its number
      if (seq == kSentinel) break;
      const auto producer = static_cast<std::size_t>(seq >> kIndexBits);
      const auto index = static_cast<std::int64_t>(seq & ((1U << kIndexBits) - 1));
      if (producer >= last.size() || index <= last[producer]) {
        throw VerificationError(
            fmt::format("ipc_fanin: consumer {} got task {} of producer {} after task {}",
                        ctx.index, index, producer, last[std::min(producer, last.size() - 1)]));
      }
      last[producer] = index;
      ++mine.tasks;
      mine.digest += sequence_digest(seq);
    }
    stamp_message(buf, kDone);
    ch.send(1, buf);
  }

  IpcChannel channel_;
  int producers_;
  std::int64_t count_;
  std::span<Tally> tallies_;
  std::atomic<int>& producers_done_;
};

class IpcFanin final : public IpcWorkload {
 public:
  [[nodiscard]] std::string_view name() const override { return "ipc_fanin"; }
  [[nodiscard]] std::string_view summary() const override {
    return "task queue: P producers, workers-P consumers, one channel, sentinel shutdown and a "
           "done queue";
  }
  [[nodiscard]] std::string_view work_unit() const override { return "tasks"; }
  [[nodiscard]] std::vector<ParamSpec> params() const override {
    auto p = ipc_params({"none"}, "tasks per repetition (0: ~32 MiB worth, 2000 to 50000)");
    p[0].defaults = {"pipe", "fifo", "posix_mq", "unix_seqpacket", "shm_queue", "inproc_queue"};
    p[1].defaults = {"64"};
    p.push_back(ParamSpec::integer("producers", "producing workers; the other workers consume",
                                   {"1"}, 1, 255));
    return p;
  }
  [[nodiscard]] std::vector<MetricSpec> metrics() const override {
    using B = MetricSpec::Better;
    return {{"msgs_per_s", "tasks delivered per second", B::Higher},
            {"mb_per_s", "task bytes delivered per second, in 1e6 bytes", B::Higher},
            {"jain", "Jain's fairness index of the consumers' task counts (1 = equal shares)",
             B::Higher},
            {"min_share", "tasks of the least busy consumer relative to the mean", B::Higher}};
  }
  [[nodiscard]] std::vector<int> default_workers(int /*cpus*/) const override { return {2, 3, 5}; }
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> smoke_params() const override {
    return {{"count", "300"}, {"channel", "pipe,posix_mq,shm_queue"}};
  }
  [[nodiscard]] std::unique_ptr<Experiment> prepare(const PrepareInfo& info) const override {
    return std::make_unique<FaninExperiment>(info);
  }
};

}  // namespace

std::unique_ptr<Workload> make_ipc_fanin() { return std::make_unique<IpcFanin>(); }

}  // namespace parbench
