#pragma once
// What a run leaves behind when it is SIGKILLed. Every named OS object parbench creates (FIFO
// directories, message queue names, count's scratch directories) is named parbench.<pid>.<rest>:
// a run that dies before removing its own leaves names whose PID is no longer alive, and the next
// run, or `parbench clean`, removes exactly those.
#include <string>
#include <vector>

namespace parbench {

// "parbench.<this process's pid>.": the start of every name this process creates.
std::string stray_name_prefix();

// Removes the entries of dead parbench processes from /dev/shm, /dev/mqueue and the temporary
// directory; returns their paths. Entries of live processes (a run going on beside this one) are
// left alone.
std::vector<std::string> remove_strays();

}  // namespace parbench
