#include "interrupt.hpp"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <array>
#include <atomic>

namespace parbench {
namespace {

// Lock-free atomics: safe to store from a signal handler and to read from any thread.
std::atomic<int> g_signal{0};
std::atomic<bool> g_polled{false};  // a command polls the flag: do not exit from the handler
static_assert(std::atomic<int>::is_always_lock_free);
static_assert(std::atomic<bool>::is_always_lock_free);

// Scratch files the handler unlinks before _exit: a fixed table, since a handler may not
// allocate. A writer claims a slot, writes the path, then marks it ready; the handler reads only
// ready slots.
struct ScratchSlot {
  std::atomic<bool> claimed{false};
  std::atomic<bool> ready{false};
  std::array<char, 4096> path{};
};
std::array<ScratchSlot, 8> g_scratch;

void on_signal(int sig) {
  g_signal.store(sig, std::memory_order_relaxed);
  if (g_polled.load(std::memory_order_relaxed)) return;
  for (auto& slot : g_scratch) {
    if (slot.ready.load(std::memory_order_acquire)) ::unlink(slot.path.data());
  }
  ::_exit(130);
}

void install(bool polled) {
  g_polled.store(polled, std::memory_order_relaxed);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);  // a dropped ssh session: keep the rows, write the summary
}

}  // namespace

void install_exit_on_interrupt() { install(false); }
void install_interrupt_handlers() { install(true); }

bool interrupt_requested() { return g_signal.load(std::memory_order_relaxed) != 0; }
void throw_if_interrupted() {
  if (interrupt_requested()) throw Interrupted();
}
int interrupt_signal() { return g_signal.load(std::memory_order_relaxed); }
std::string signal_name(int signal) {
  const char* abbrev = sigabbrev_np(signal);
  return abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(signal);
}

void set_interrupt_for_testing(int signal) { g_signal.store(signal, std::memory_order_relaxed); }

int register_scratch_file(const std::string& path) {
  if (path.size() >= ScratchSlot{}.path.size()) return -1;
  for (std::size_t i = 0; i < g_scratch.size(); ++i) {
    auto& slot = g_scratch[i];
    bool expected = false;
    if (!slot.claimed.compare_exchange_strong(expected, true, std::memory_order_acq_rel)) continue;
    std::memcpy(slot.path.data(), path.c_str(), path.size() + 1);
    slot.ready.store(true, std::memory_order_release);
    return static_cast<int>(i);
  }
  return -1;
}

void unregister_scratch_file(int slot) {
  if (slot < 0 || static_cast<std::size_t>(slot) >= g_scratch.size()) return;
  auto& s = g_scratch[static_cast<std::size_t>(slot)];
  s.ready.store(false, std::memory_order_release);
  s.claimed.store(false, std::memory_order_release);
}

}  // namespace parbench
