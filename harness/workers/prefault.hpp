#pragma once
// Maps memory into the calling process before timing starts. A forked worker does not inherit page
// table entries for shared mappings, and private pages are copy-on-write after fork, so without
// this the first touch of every page inside the timed region costs a page fault, and the
// benchmark measures the fault handler instead of the work.
#include <cstddef>

namespace parbench {

// write=true also breaks copy-on-write sharing (MADV_POPULATE_WRITE); contents are unchanged.
void prefault(const void* data, std::size_t bytes, bool write);

}  // namespace parbench
