// A parallel histogram, measured by parbench: each worker counts the bytes of its share of a
// generated stream into 256 bins. The check recounts the whole stream once, untimed, and compares.
#include <array>
#include <cstdint>
#include <parbench/simple_workload.hpp>
#include <string>

namespace {

// Byte i of the stream: the top byte of a multiplicative hash, so every bin gets used.
std::uint8_t byte_at(std::int64_t i) {
  return static_cast<std::uint8_t>((static_cast<std::uint64_t>(i) * 0x9E3779B97F4A7C15ULL) >> 56);
}

// Bins folded into one number the check can add up across workers: sum of (bin + 1) * count.
std::uint64_t weighted(const std::array<std::uint64_t, 256>& bins) {
  std::uint64_t sum = 0;
  for (std::size_t b = 0; b < bins.size(); ++b) sum += (b + 1) * bins[b];
  return sum;
}

const bool registered = parbench::register_simple_workload({
    .name = "histogram",
    .summary = "bytes of a generated stream counted into 256 bins",
    .unit = "bytes",
    .items = 200'000'000,
    .work =
        [](const parbench::SimpleWorker& w) {
          std::array<std::uint64_t, 256> bins{};
          for (std::int64_t i = w.begin; i < w.end; ++i) ++bins[byte_at(i)];
          return weighted(bins);
        },
    .check = [](const parbench::SimpleCheck& c) -> std::string {
      std::array<std::uint64_t, 256> bins{};
      for (std::int64_t i = 0; i < c.items; ++i) ++bins[byte_at(i)];
      std::uint64_t got = 0;
      for (std::uint64_t r : c.results) got += r;
      if (got != weighted(bins)) return "the workers' bins disagree with a recount of the stream";
      return "";
    },
});

}  // namespace
