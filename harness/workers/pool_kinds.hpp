#pragma once
// The pools behind Pool::make (pool.hpp), each in its own file, and what they share.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "pool.hpp"

namespace parbench::pool_detail {

// At most this many tasks go to a worker in one hand-over; a larger chunksize is split.
inline constexpr std::size_t kSlotTasks = 256;
inline constexpr std::size_t kErrorText = 160;

// Runs one task: "" and its value, or why it failed.
std::string run_task(const Task& t, std::int64_t& value);

std::unique_ptr<Pool> make_thread_pool(int workers);
// fresh: no pool, a process forked for every chunk.
std::unique_ptr<Pool> make_process_pool(int workers, bool fresh);

}  // namespace parbench::pool_detail
