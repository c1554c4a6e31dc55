#pragma once
// Where parbench finds the scripts it runs (the plot scripts, the Python bridge). In order:
// $PARBENCH_SCRIPTS_DIR; ../share/parbench/scripts beside the running binary (an installed
// parbench); the directory a program built against the installed package was given
// (set_scripts_dir, from the package's main); the source tree this copy was built from.
#include <string>

namespace parbench {

[[nodiscard]] std::string scripts_dir();
// The examples beside the scripts (share/parbench/examples when installed, examples/ in the
// source tree): the Python functions pyfunc runs by default.
[[nodiscard]] std::string examples_dir();
void set_scripts_dir(const std::string& dir);

}  // namespace parbench
