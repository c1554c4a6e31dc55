#pragma once
#include <memory>
#include <string_view>
#include <vector>

#include "workload.hpp"

namespace parbench {

const std::vector<std::unique_ptr<Workload>>& all_workloads();
// nullptr when no workload has that name.
const Workload* find_workload(std::string_view name);

}  // namespace parbench
