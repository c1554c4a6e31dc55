// parbench_micro: the single-operation costs behind the suites, with Google Benchmark's own runner:
// an uncontended lock and unlock of every lock kind, one send and receive of a 64-byte message on
// every channel within one thread, the stamp and check every IPC message carries, clock and
// CPU-time reads, a futex wake with no waiter, and a fork that exits at once. Its JSON output
// (--benchmark_format=json, or --benchmark_out=FILE with
// --benchmark_repetitions=N) is a report `parbench compare` reads, so micro and macro results are
// gated alike.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <string>
#include <vector>

#include "channels/channel.hpp"
#include "channels/message.hpp"
#include "child_process.hpp"
#include "clock.hpp"
#include "futex.hpp"
#include "locks/lock.hpp"
#include "shared_memory.hpp"

namespace parbench {
namespace {

void lock_unlock(benchmark::State& state, const LockKind* kind) {
  SharedArena arena;
  const auto lock = kind->create(arena, 1);
  lock->attach(0);
  for (auto _ : state) {
    lock->lock(0);
    lock->unlock(0);
  }
  state.SetItemsProcessed(state.iterations());
}

// Side 0 sends, side 1 receives, in one thread: the cost of the two calls and the copies, without
// any wake-up of another worker (ipc_pingpong measures that).
void send_recv(benchmark::State& state, const ChannelKind* kind) {
  constexpr std::size_t kBytes = 64;
  if (kind->size_limit(kBytes)) {
    state.SkipWithError("message too large for this channel here");
    return;
  }
  SharedArena arena;
  const auto channel = kind->create(ChannelSpec{kBytes, false}, arena);
  channel->prefault();
  std::array<std::byte, kBytes> out{}, in{};
  out.fill(std::byte{0x5a});
  for (auto _ : state) {
    channel->send(0, out);
    channel->recv(1, in);
    benchmark::DoNotOptimize(in.data());
  }
  if (in != out) state.SkipWithError("the message came back different");
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * kBytes));
}

// What every IPC workload adds to each message: the sender's stamp and the receiver's check, per
// message size (the windowed ipc_stream compares with osu_bw, which checks nothing).
void BM_stamp_verify(benchmark::State& state) {
  std::vector<std::byte> msg(static_cast<std::size_t>(state.range(0)));
  std::uint32_t seq = 0;
  for (auto _ : state) {
    stamp_message(msg, seq);
    verify_message(msg, seq);
    ++seq;
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_stamp_verify)->Arg(8)->Arg(64)->Arg(4096)->Arg(65536);

void BM_verify(benchmark::State& state) {
  std::vector<std::byte> msg(static_cast<std::size_t>(state.range(0)));
  stamp_message(msg, 7);
  for (auto _ : state) {
    verify_message(msg, 7);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_verify)->Arg(8)->Arg(64)->Arg(4096)->Arg(65536);

void BM_now_ns(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(now_ns());
}
BENCHMARK(BM_now_ns);

void BM_steady_clock(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(std::chrono::steady_clock::now());
}
BENCHMARK(BM_steady_clock);

void BM_thread_usage(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(thread_usage());
}
BENCHMARK(BM_thread_usage);

void BM_futex_wake_no_waiter(benchmark::State& state) {
  std::uint32_t word = 0;
  for (auto _ : state) futex_wake(&word, 1);
}
BENCHMARK(BM_futex_wake_no_waiter);

void BM_fork_exit_wait(benchmark::State& state) {
  for (auto _ : state) {
    auto child = ChildProcess::fork_and_run([] { return 0; });
    if (child.reap() != 0) state.SkipWithError("child did not exit with 0");
  }
}
BENCHMARK(BM_fork_exit_wait)->Unit(benchmark::kMicrosecond);

void register_all() {
  for (const auto& kind : all_locks()) {
    benchmark::RegisterBenchmark(("BM_lock_unlock/" + std::string(kind->name())).c_str(),
                                 lock_unlock, kind.get());
  }
  for (const auto& kind : all_channels()) {
    if (kind->crosses_hosts()) continue;  // needs MPI ranks
    benchmark::RegisterBenchmark(("BM_send_recv_64B/" + std::string(kind->name())).c_str(),
                                 send_recv, kind.get());
  }
}

}  // namespace
}  // namespace parbench

int main(int argc, char** argv) {
  parbench::register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
