#pragma once
// The words of Python's multiprocessing and threading, and what measures each here: the table of
// `parbench list --python` and docs/python.md "Python's names", and the parameter values `run`
// takes as aliases (--param channel=Queue is shm_queue). An alias exists only where one value
// answers it on every backend; the Python backends run the construct itself (multiprocessing.Queue
// for shm_queue, multiprocessing.Lock for posix_sem, ...).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parbench {

struct PythonName {
  std::string construct;  // "multiprocessing.Queue"
  std::string measure;    // "ipc_pingpong / ipc_stream / ipc_fanin --param channel=shm_queue"
  std::string note;       // how the C++ version relates to it
};

const std::vector<PythonName>& python_names();

// The canonical value of parameter `param` that the Python word `value` names (channel=Queue ->
// shm_queue); nullopt when `value` is no alias of that parameter.
std::optional<std::string> python_alias(std::string_view param, std::string_view value);

}  // namespace parbench
